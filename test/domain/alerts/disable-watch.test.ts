import type { KmsEvent } from '../../../lib/domain/kms-event.js';
import { describe, expect, it } from 'vitest';
import {
  disabledInUse,
  disabledSince,
  disabledUseDecisionId,
  isDisabledFailure,
  useWhileDisabled,
} from '../../../lib/domain/alerts/disable-watch.js';
import type { KeyUsageSummary, StateTransition } from '../../../lib/domain/model.js';
import { DISABLE_KEY, sampleEvent, sampleWith } from './samples.js';

const KEY = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const usage = (overrides: Partial<KeyUsageSummary> = {}): KeyUsageSummary => ({
  keyArn: KEY,
  lastUsedByOperation: {},
  useCount: 0,
  dailyCounts: {},
  callers: [],
  failures: [],
  ...overrides,
});
const inUse = usage({
  lastCryptographicUseAt: '2014-11-01T10:00:00.000Z',
  lastUsedAt: '2014-11-01T10:00:00.000Z',
  useCount: 42,
  lastUsedByOperation: { Decrypt: '2014-11-01T10:00:00.000Z' },
  callers: [
    { id: 'arn:aws:iam::111122223333:role/web', principal: 'arn:aws:iam::111122223333:role/web', count: 2, lastAt: '2014-11-01T10:00:00.000Z', operations: ['Decrypt'] },
    { id: 'arn:aws:iam::111122223333:role/batch', principal: 'arn:aws:iam::111122223333:role/batch', count: 40, lastAt: '2014-10-30T10:00:00.000Z', operations: ['GenerateDataKey'] },
    { id: 'arn:aws:iam::111122223333:role/old', principal: 'arn:aws:iam::111122223333:role/old', count: 500, lastAt: '2013-01-01T00:00:00.000Z', operations: ['Decrypt'] },
  ],
});
const decryptFailure = (message = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab is disabled.') =>
  sampleWith(DISABLE_KEY, (record) => {
    record.eventName = 'Decrypt';
    record.eventTime = '2014-11-05T08:00:00Z';
    record.errorCode = 'DisabledException';
    record.errorMessage = message;
    record.eventID = 'failed-decrypt-1';
    record.userIdentity = { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/web/i-0abc', accountId: '111122223333', sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/web', accountId: '111122223333', userName: 'web' } } };
  });
const transition = (at: string, state: StateTransition['state'], by?: string): StateTransition => ({ at, state, eventId: `e-${at}`, eventName: state === 'Disabled' ? 'DisableKey' : 'EnableKey', by });

describe('disabled-in-use', () => {
  it('flags a DisableKey (the AWS sample) on a key used three days before, with the top callers of the window by count', () => {
    const event = sampleEvent(DISABLE_KEY);
    const result = disabledInUse(event.eventTime, inUse, 90);
    expect(result.status).toBe('NON_COMPLIANT');
    if (result.status !== 'NON_COMPLIANT') return;
    expect(result.finding.reason).toBe('disabled-in-use');
    expect(result.finding.evidence.lastUsedAt).toBe('2014-11-01T10:00:00.000Z');
    expect((result.finding.evidence.topCallers as { id: string }[]).map((caller) => caller.id)).toEqual([
      'arn:aws:iam::111122223333:role/batch',
      'arn:aws:iam::111122223333:role/web',
    ]);
  });

  it('passes for a key last used before the window', () => {
    expect(disabledInUse('2014-11-04T00:52:43.000Z', inUse, 2).status).toBe('COMPLIANT');
  });

  it('passes for a key never used, and ignores GetPublicKey-only use', () => {
    expect(disabledInUse('2014-11-04T00:52:43.000Z', usage(), 90).status).toBe('COMPLIANT');
    expect(disabledInUse('2014-11-04T00:52:43.000Z', usage({ lastUsedAt: '2014-11-03T00:00:00.000Z' }), 90).status).toBe('COMPLIANT');
  });
});

describe('use-while-disabled', () => {
  it('recognises a DisabledException, but leaves the pending-deletion one to the deletion guard', () => {
    expect(isDisabledFailure(decryptFailure())).toBe(true);
    expect(isDisabledFailure(decryptFailure('arn:aws:kms:us-west-2:111122223333:key/x is pending deletion.'))).toBe(false);
    expect(isDisabledFailure(sampleEvent(DISABLE_KEY))).toBe(false);
  });

  it('names the broken workloads: this caller and those that failed earlier in the same disable period', () => {
    const since = transition('2014-11-04T00:52:43.000Z', 'Disabled', 'arn:aws:iam::111122223333:user/Alice');
    const earlier = usage({
      failures: [
        { operation: 'GenerateDataKey', errorCode: 'DisabledException', count: 3, lastAt: '2014-11-04T05:00:00.000Z', lastMessage: 'is disabled.', lastEventId: 'x', callers: ['arn:aws:iam::111122223333:role/batch'] },
        { operation: 'Decrypt', errorCode: 'DisabledException', count: 1, lastAt: '2014-10-01T00:00:00.000Z', lastMessage: 'is disabled.', lastEventId: 'y', callers: ['arn:aws:iam::111122223333:role/previous-period'] },
      ],
    });
    const result = useWhileDisabled(decryptFailure(), since, earlier);
    expect(result.status).toBe('NON_COMPLIANT');
    if (result.status !== 'NON_COMPLIANT') return;
    expect(result.finding.evidence).toMatchObject({
      disabledAt: '2014-11-04T00:52:43.000Z',
      disabledBy: 'arn:aws:iam::111122223333:user/Alice',
      failedOperations: ['Decrypt', 'GenerateDataKey'],
      brokenCallers: ['arn:aws:iam::111122223333:role/web', 'arn:aws:iam::111122223333:role/batch'],
    });
  });

  it('does not apply to a successful call', () => {
    expect(useWhileDisabled(sampleEvent(DISABLE_KEY), undefined, usage()).status).toBe('NOT_APPLICABLE');
  });
});

describe('the disable period', () => {
  const history = [
    transition('2014-01-01T00:00:00.000Z', 'Enabled'),
    transition('2014-11-04T00:52:43.000Z', 'Disabled'),
    transition('2014-11-04T01:00:00.000Z', 'Disabled'),
    transition('2014-11-06T00:00:00.000Z', 'Enabled'),
    transition('2014-11-07T00:00:00.000Z', 'Disabled'),
  ];

  it('starts at the first of consecutive DisableKeys before the failure', () => {
    expect(disabledSince(history, '2014-11-05T08:00:00.000Z')?.at).toBe('2014-11-04T00:52:43.000Z');
  });

  it('is a new period after the key was enabled and disabled again', () => {
    expect(disabledSince(history, '2014-11-08T00:00:00.000Z')?.at).toBe('2014-11-07T00:00:00.000Z');
  });

  it('is unknown when the history does not show the key disabled then', () => {
    expect(disabledSince(history, '2014-11-06T12:00:00.000Z')).toBeUndefined();
    expect(disabledSince([], '2014-11-06T12:00:00.000Z')).toBeUndefined();
  });

  it('gives one decision id per key, period and broken workload, falling back to the day when the start is unknown', () => {
    const since = disabledSince(history, '2014-11-05T08:00:00.000Z');
    const failure = (eventTime: string, role: string) =>
      ({ eventTime, caller: { principal: `arn:aws:iam::111122223333:role/${role}`, principalType: 'AssumedRole' } }) as KmsEvent;
    expect(disabledUseDecisionId(KEY, failure('2014-11-05T08:00:00.000Z', 'app'), since)).toBe(
      disabledUseDecisionId(KEY, failure('2014-11-05T23:00:00.000Z', 'app'), since),
    );
    expect(disabledUseDecisionId(KEY, failure('2014-11-05T08:00:00.000Z', 'app'), since)).not.toBe(
      disabledUseDecisionId(KEY, failure('2014-11-05T08:00:00.000Z', 'batch'), since),
    );
    expect(disabledUseDecisionId(KEY, failure('2014-11-05T08:00:00.000Z', 'app'), undefined)).toBe(
      `disabled-use#${KEY}#unknown-2014-11-05#arn:aws:iam::111122223333:role/app`,
    );
  });
});
