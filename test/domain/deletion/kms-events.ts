/**
 * KmsEvents for deletion-guard tests, built from the real ScheduleKeyDeletion capture in test/fixtures/cloudtrail
 * (parsed by the real ingest) and re-pointed at a test key, plus the few other events the scenarios need.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Caller, KmsEvent } from '../../../lib/domain/kms-event.js';
import { parseRecord } from '../../../lib/ingest/parse-record.js';
import { cloudTrailSamplesDir } from '../../support/fixtures.js';

export const SAMPLES = cloudTrailSamplesDir;

/** The real record (elastic-integrations, 2024): a 7-day ScheduleKeyDeletion by an IAM user. */
export const scheduleKeyDeletionRecord = (): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(SAMPLES, 'elastic-integrations/test-schedule-key-deletion.jsonl'), 'utf8').trim()) as Record<string, unknown>;

export const APP_ROLE = 'arn:aws:iam::111122223333:role/app';
const APP: Caller = { principal: APP_ROLE, principalType: 'AssumedRole' };
const DAY_MS = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** CloudTrail's locale format for ScheduleKeyDeletion's deletionDate ("Oct 21, 2024, 2:25:29 PM", UTC). */
export const cloudTrailLocaleDate = (date: Date): string => {
  const hours = date.getUTCHours();
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}, ${hours % 12 === 0 ? 12 : hours % 12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
};

/** The real ScheduleKeyDeletion record, re-pointed at `keyArn`, made at `at` by `by` (an IAM user ARN). */
export const scheduleRecord = (keyArn: string, eventId: string, at: Date, options: { by?: string; windowDays?: number } = {}) => {
  const record = structuredClone(scheduleKeyDeletionRecord());
  const [, , , region = '', accountId = ''] = keyArn.split(':');
  const windowDays = options.windowDays ?? 7;
  const userArn = options.by ?? `arn:aws:iam::${accountId}:user/alice`;
  return {
    ...record,
    eventID: eventId,
    eventTime: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    awsRegion: region,
    recipientAccountId: accountId,
    requestParameters: { keyId: keyArn, pendingWindowInDays: windowDays },
    responseElements: {
      keyId: keyArn,
      keyState: 'PendingDeletion',
      pendingWindowInDays: windowDays,
      deletionDate: cloudTrailLocaleDate(new Date(at.getTime() + windowDays * DAY_MS)),
    },
    resources: [{ ARN: keyArn, accountId, type: 'AWS::KMS::Key' }],
    userIdentity: { type: 'IAMUser', accountId, arn: userArn, principalId: 'PRINCIPALID', userName: userArn.split('/').at(-1) },
  };
};

/** The EventBridge event that carries a CloudTrail record to the deletion guard. */
export const eventBridgeEnvelope = (record: Record<string, unknown>) => ({
  version: '0',
  id: `eb-${String(record.eventID)}`,
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.kms',
  account: String(record.recipientAccountId),
  time: String(record.eventTime),
  region: String(record.awsRegion),
  resources: [],
  detail: record,
});

export const scheduleEvent = (keyArn: string, eventId: string, at: Date, options: { by?: string; windowDays?: number } = {}): KmsEvent => {
  const outcome = parseRecord(scheduleRecord(keyArn, eventId, at, options), 'test', 0);
  if (outcome.kind !== 'event') throw new Error(`the ScheduleKeyDeletion sample did not parse: ${JSON.stringify(outcome)}`);
  return outcome.event;
};

/** Any other KMS call on `keyArn` (CreateKey, Decrypt, DisableKey…), by the app role unless told otherwise. */
export const kmsEvent = (eventName: string, keyArn: string, at: Date, overrides: Partial<KmsEvent> = {}): KmsEvent => {
  const [, , , region = '', accountId = ''] = keyArn.split(':');
  return {
    eventId: `${eventName}-${keyArn.split('/').at(-1)}-${at.toISOString()}`,
    eventTime: at.toISOString(),
    eventName,
    eventSource: 'kms.amazonaws.com',
    category: 'api-call',
    region,
    accountId,
    keyArns: [keyArn],
    caller: APP,
    requestParameters: { keyId: keyArn },
    responseElements: {},
    additionalEventData: {},
    ...overrides,
  };
};

/** A Decrypt refused because the key is pending deletion, as KMS words it. */
export const pendingDeletionFailure = (keyArn: string, at: Date, eventId?: string): KmsEvent =>
  kmsEvent('Decrypt', keyArn, at, {
    ...(eventId === undefined ? {} : { eventId }),
    error: { code: 'KMSInvalidStateException', message: `${keyArn} is pending deletion.` },
    responseElements: {},
  });

export const daysBefore = (now: Date, days: number): Date => new Date(now.getTime() - days * DAY_MS);
