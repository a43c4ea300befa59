import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type UsageDay, SEEN_RING_SIZE, foldUsage, mergeUsage } from '../../lib/domain/usage.js';
import { summarizeUsage } from '../../lib/domain/usage-summary.js';
import type { KmsEvent } from '../../lib/domain/kms-event.js';
import { ADMIN, APP_ROLE, EBS, failed, keyArn, kmsEvent, shuffled } from './usage-test-events.js';

const KEY = keyArn('a');
const OTHER = keyArn('b');

/** Folds and merges batches in order, as the store does, keeping one bucket per (key, day). */
const store = (...batches: (readonly KmsEvent[])[]): Map<string, UsageDay> => {
  const buckets = new Map<string, UsageDay>();
  for (const batch of batches) {
    for (const delta of foldUsage(batch)) {
      const id = `${delta.keyArn} ${delta.day}`;
      buckets.set(id, mergeUsage(buckets.get(id), delta).day);
    }
  }
  return buckets;
};

const summaryOf = (key: string, buckets: Map<string, UsageDay>) =>
  summarizeUsage(key, [...buckets.values()].filter((day) => day.keyArn === key).sort((a, b) => a.day.localeCompare(b.day)));

describe('usage folding', () => {
  it('counts a successful use per operation, with its last time and its caller', () => {
    const events = [
      kmsEvent('Decrypt', KEY, '2024-05-01T10:00:00.000Z'),
      kmsEvent('Decrypt', KEY, '2024-05-01T11:00:00.000Z', { caller: EBS }),
      kmsEvent('GenerateDataKey', KEY, '2024-05-02T09:00:00.000Z'),
    ];

    const summary = summaryOf(KEY, store(events));

    expect(summary.useCount).toBe(3);
    expect(summary.dailyCounts).toEqual({ '2024-05-01': { Decrypt: 2 }, '2024-05-02': { GenerateDataKey: 1 } });
    expect(summary.lastUsedByOperation).toEqual({ Decrypt: '2024-05-01T11:00:00.000Z', GenerateDataKey: '2024-05-02T09:00:00.000Z' });
    expect(summary.callers.map((caller) => [caller.id, caller.count, caller.operations])).toEqual([
      [APP_ROLE.principal, 2, ['Decrypt', 'GenerateDataKey']],
      [`${APP_ROLE.principal} via ebs`, 1, ['Decrypt']],
    ]);
    expect(summary.firstSeenAt).toBe('2024-05-01T10:00:00.000Z');
  });

  it('counts an event seen twice (in one batch or across batches) once', () => {
    const decrypt = kmsEvent('Decrypt', KEY, '2024-05-01T10:00:00.000Z');

    const [delta] = foldUsage([decrypt, decrypt]);
    const first = mergeUsage(undefined, delta ?? { keyArn: KEY, day: '', entries: [] });
    const again = mergeUsage(first.day, delta ?? { keyArn: KEY, day: '', entries: [] });

    expect(first.day.counts).toEqual({ Decrypt: 1 });
    expect(first.newRefs).toEqual(new Set([0]));
    expect(again.newRefs.size).toBe(0);
    expect(again.day.counts).toEqual({ Decrypt: 1 });
  });

  it('never moves "last used" backwards when a late event arrives', () => {
    const late = kmsEvent('Encrypt', KEY, '2024-05-01T08:00:00.000Z');
    const recent = kmsEvent('Encrypt', KEY, '2024-05-01T20:00:00.000Z');

    const summary = summaryOf(KEY, store([recent], [late]));

    expect(summary.lastUsedAt).toBe('2024-05-01T20:00:00.000Z');
    expect(summary.firstSeenAt).toBe('2024-05-01T08:00:00.000Z');
    expect(summary.useCount).toBe(2);
  });

  it('keeps failed calls apart from successful use', () => {
    const events = [
      failed('Decrypt', KEY, '2024-05-01T10:00:00.000Z', 'AccessDeniedException', 'not allowed'),
      failed('Decrypt', KEY, '2024-05-01T12:00:00.000Z', 'AccessDeniedException', 'still not allowed', { caller: ADMIN }),
      failed('Decrypt', KEY, '2024-05-01T11:00:00.000Z', 'DisabledException', `${KEY} is disabled.`),
    ];

    const summary = summaryOf(KEY, store(events));

    expect(summary.useCount).toBe(0);
    expect(summary.lastUsedAt).toBeUndefined();
    expect(summary.failures).toEqual([
      {
        operation: 'Decrypt',
        errorCode: 'AccessDeniedException',
        count: 2,
        lastAt: '2024-05-01T12:00:00.000Z',
        lastMessage: 'still not allowed',
        lastEventId: events[1]?.eventId,
        callers: [ADMIN.principal, APP_ROLE.principal],
      },
      expect.objectContaining({ errorCode: 'DisabledException', count: 1 }),
    ]);
    expect(summary.lastDisabledFailure?.eventId).toBe(events[2]?.eventId);
    expect(summary.lastPendingDeletionFailure).toBeUndefined();
  });

  it('recognises a use while pending deletion only by its error code and message suffix', () => {
    const pending = failed('Decrypt', KEY, '2024-05-01T10:00:00.000Z', 'KMSInvalidStateException', `${KEY} is pending deletion.`);
    const otherInvalidState = failed('Decrypt', KEY, '2024-05-01T11:00:00.000Z', 'KMSInvalidStateException', `${KEY} is pending import.`);
    const wrongCode = failed('Decrypt', KEY, '2024-05-01T12:00:00.000Z', 'AccessDeniedException', 'key is pending deletion.');

    const summary = summaryOf(KEY, store([pending, otherInvalidState, wrongCode]));

    expect(summary.lastPendingDeletionFailure).toMatchObject({ eventId: pending.eventId, operation: 'Decrypt', caller: APP_ROLE });
  });

  it('counts a ReEncrypt for both its keys and ignores calls that are not usage', () => {
    const events = [kmsEvent('ReEncrypt', [KEY, OTHER], '2024-05-01T10:00:00.000Z'), kmsEvent('DescribeKey', KEY, '2024-05-01T11:00:00.000Z')];

    const buckets = store(events);

    expect(summaryOf(KEY, buckets).dailyCounts).toEqual({ '2024-05-01': { ReEncrypt: 1 } });
    expect(summaryOf(OTHER, buckets).dailyCounts).toEqual({ '2024-05-01': { ReEncrypt: 1 } });
  });

  it('tells the last use of any kind from the last cryptographic use', () => {
    const events = [kmsEvent('Sign', KEY, '2024-05-01T10:00:00.000Z'), kmsEvent('GetPublicKey', KEY, '2024-05-03T10:00:00.000Z')];

    const summary = summaryOf(KEY, store(events));

    expect(summary.lastUsedAt).toBe('2024-05-03T10:00:00.000Z');
    expect(summary.lastCryptographicUseAt).toBe('2024-05-01T10:00:00.000Z');
  });

  it('keeps the dedupe ring bounded', () => {
    const events = Array.from({ length: SEEN_RING_SIZE + 50 }, () => kmsEvent('Decrypt', KEY, '2024-05-01T10:00:00.000Z'));

    const [bucket] = store(events).values();

    expect(bucket?.seen).toHaveLength(SEEN_RING_SIZE);
    expect(bucket?.counts.Decrypt).toBe(SEEN_RING_SIZE + 50);
  });
});

describe('usage summaries', () => {
  const operations = ['Decrypt', 'Encrypt', 'GenerateDataKey', 'GetPublicKey', 'Sign'];
  const arbitraryEvent = fc
    .record({
      operation: fc.constantFrom(...operations),
      key: fc.constantFrom(KEY, OTHER),
      minute: fc.integer({ min: 0, max: 4 * 24 * 60 }),
      caller: fc.constantFrom(APP_ROLE, ADMIN, EBS),
      error: fc.option(fc.constantFrom('AccessDeniedException', 'DisabledException'), { nil: undefined }),
    })
    .map(({ operation, key, minute, caller, error }) => {
      const at = new Date(Date.UTC(2024, 4, 1) + minute * 60_000).toISOString();
      return error === undefined ? kmsEvent(operation, key, at, { caller }) : failed(operation, key, at, error, `${error} message`, { caller });
    });

  it('are the same for duplicated, shuffled and re-batched events as for one ordered pass', () => {
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { minLength: 1, maxLength: 60 }), fc.integer(), fc.integer({ min: 1, max: 7 }), (events, seed, size) => {
        const ordered = [...events].sort((a, b) => a.eventTime.localeCompare(b.eventTime));
        const messy = shuffled([...events, ...events.slice(0, Math.ceil(events.length / 2))], seed);
        const batches = Array.from({ length: Math.ceil(messy.length / size) }, (_, index) => messy.slice(index * size, (index + 1) * size));

        const expected = store(ordered);
        const actual = store(...batches);

        for (const key of [KEY, OTHER]) expect(summaryOf(key, actual)).toEqual(summaryOf(key, expected));
      }),
      { numRuns: 150 },
    );
  });
});
