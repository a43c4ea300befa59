/** Which functions each kind of KMS event reaches, through the one routing table CDK and replay share. */
import { describe, expect, it } from 'vitest';
import type { KmsEvent } from '../../lib/domain/kms-event.js';
import { routeEvent } from '../../lib/routing.js';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const event = (eventName: string, error?: { code: string; message: string }, eventSource = 'kms.amazonaws.com'): KmsEvent => ({
  eventId: 'e1',
  eventTime: '2026-11-20T10:00:00.000Z',
  eventName,
  eventSource,
  category: 'api-call',
  region: 'us-east-1',
  accountId: '111122223333',
  keyArns: [KEY],
  caller: { principal: 'arn:aws:iam::111122223333:role/app', principalType: 'AssumedRole' },
  ...(error === undefined ? {} : { error }),
  requestParameters: {},
  responseElements: {},
  additionalEventData: {},
});

describe('the routing table', () => {
  it.each([
    ['a Decrypt', event('Decrypt'), ['usage-tracker']],
    ['a ScheduleKeyDeletion', event('ScheduleKeyDeletion'), ['usage-tracker', 'deletion-guard']],
    ['a ScheduleKeyDeletion that failed', event('ScheduleKeyDeletion', { code: 'AccessDeniedException', message: 'denied' }), ['usage-tracker']],
    ['a Decrypt failing on a key pending deletion', event('Decrypt', { code: 'KMSInvalidStateException', message: `${KEY} is pending deletion.` }), ['usage-tracker', 'deletion-guard']],
    ['a Decrypt failing on a disabled key', event('Decrypt', { code: 'DisabledException', message: `${KEY} is disabled.` }), ['usage-tracker', 'policy-guard']],
    ['a PutKeyPolicy', event('PutKeyPolicy'), ['usage-tracker', 'policy-guard']],
    ['a ReplicateKey, which sets the replica’s key policy', event('ReplicateKey'), ['usage-tracker', 'policy-guard']],
    ['a DisableKey', event('DisableKey'), ['usage-tracker', 'policy-guard']],
    ['a CreateGrant', event('CreateGrant'), ['grant-tracker']],
    ['a CloudHSM DeleteHsm', event('DeleteHsm', undefined, 'cloudhsm.amazonaws.com'), ['policy-guard']],
  ])('sends %s to %j', (_what, kmsEvent, targets) => {
    expect(routeEvent(kmsEvent)).toEqual(targets);
  });
});
