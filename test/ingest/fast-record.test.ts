/**
 * The precompiled check (fast-record.ts) and the zod schema agree: on every record the fast path passes, it returns
 * what zod returns; on every record zod rejects, the fast path passes nothing, so the rejection (and its reason)
 * always comes from zod. Checked on every public sample and on generated damage to them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastCloudTrailRecord } from '../../lib/ingest/fast-record.js';
import { CloudTrailRecordSchema, isPlainObject } from '../../lib/ingest/schemas.js';
import { validSampleRecords } from '../reliability/samples.js';

/** CloudTrail records (an EventBridge event's detail, when the sample is one; KMS service events are not records). */
const records = validSampleRecords()
  .map(({ record }) => (isPlainObject(record.detail) ? record.detail : record))
  .filter((record) => typeof record.eventSource === 'string');

const FIELDS = ['eventID', 'eventTime', 'eventName', 'eventSource', 'awsRegion', 'errorCode', 'errorMessage', 'recipientAccountId', 'userIdentity', 'requestParameters', 'responseElements', 'additionalEventData', 'resources'];
const IDENTITY_FIELDS = ['type', 'arn', 'accountId', 'invokedBy', 'sessionContext'];

const damage = fc.record({
  field: fc.constantFrom(...FIELDS, ...IDENTITY_FIELDS.map((field) => `userIdentity.${field}`), 'userIdentity.sessionContext.sessionIssuer'),
  value: fc.oneof(fc.constant(undefined), fc.constant(null), fc.constant(''), fc.string(), fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }), fc.constantFrom('2024-02-30T10:00:00Z', '2024-10-14 14:25:29', 'Oct 21, 2024')),
});

const damaged = (record: Record<string, unknown>, field: string, value: unknown): Record<string, unknown> => {
  const copy = structuredClone(record);
  const path = field.split('.');
  let target: Record<string, unknown> = copy;
  for (const step of path.slice(0, -1)) {
    if (!isPlainObject(target[step])) target[step] = {};
    target = target[step] as Record<string, unknown>;
  }
  target[path.at(-1) ?? field] = value;
  return copy;
};

const agree = (input: Record<string, unknown>): void => {
  const fast = fastCloudTrailRecord(input);
  const slow = CloudTrailRecordSchema.safeParse(input);
  if (!slow.success) expect(fast).toBeUndefined();
  else if (fast !== undefined) expect(fast).toEqual(slow.data);
};

describe('the precompiled record check', () => {
  it('passes every valid public sample, returning what the zod schema returns', () => {
    expect(records.length).toBeGreaterThan(40);
    for (const record of records) {
      const slow = CloudTrailRecordSchema.safeParse(record);
      expect(slow.success).toBe(true);
      expect(fastCloudTrailRecord(record)).toEqual(slow.data);
    }
  });

  it('never passes a record zod rejects, and passes the others unchanged (generated damage)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...records), damage, damage, (record, first, second) => {
        agree(damaged(damaged(record, first.field, first.value), second.field, second.value));
      }),
      { numRuns: 2_000, seed: 20261201 },
    );
  });
});
