/** Small KmsEvent builders for the store's domain and adapter tests. */
import { randomUUID } from 'node:crypto';
import type { Caller, KmsEvent } from '../../lib/domain/kms-event.js';

export const ACCOUNT = '111122223333';
export const keyArn = (suffix: string): string =>
  `arn:aws:kms:us-east-1:${ACCOUNT}:key/${suffix.padStart(8, '0')}-1111-2222-3333-444455556666`;

export const APP_ROLE: Caller = { principal: `arn:aws:iam::${ACCOUNT}:role/app`, principalType: 'AssumedRole' };
export const ADMIN: Caller = { principal: `arn:aws:iam::${ACCOUNT}:role/admin`, principalType: 'AssumedRole' };
export const EBS: Caller = {
  principal: `arn:aws:iam::${ACCOUNT}:role/app`,
  principalType: 'AssumedRole',
  service: 'ebs',
  invokedBy: 'ec2.amazonaws.com',
};

export const kmsEvent = (eventName: string, key: string | readonly string[], at: string, extra: Partial<KmsEvent> = {}): KmsEvent => ({
  eventId: randomUUID(),
  eventTime: at,
  eventName,
  eventSource: 'kms.amazonaws.com',
  category: 'api-call',
  region: 'us-east-1',
  accountId: ACCOUNT,
  keyArns: typeof key === 'string' ? [key] : [...key],
  caller: APP_ROLE,
  requestParameters: {},
  responseElements: {},
  additionalEventData: {},
  ...extra,
});

export const failed = (eventName: string, key: string, at: string, code: string, message: string, extra: Partial<KmsEvent> = {}): KmsEvent =>
  kmsEvent(eventName, key, at, { error: { code, message }, ...extra });

/** Deterministic shuffle (a seeded LCG), so a failing order can be reproduced. */
export const shuffled = <T>(items: readonly T[], seed: number): T[] => {
  const copy = [...items];
  let state = seed >>> 0 || 1;
  for (let index = copy.length - 1; index > 0; index -= 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const other = state % (index + 1);
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
};
