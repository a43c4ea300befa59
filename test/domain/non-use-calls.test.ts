import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KmsEvent } from '../../lib/domain/kms-event.js';
import { applyNonUseCall, listNonUseCalls, MAX_NON_USE_CALLS, type NonUseCallRecord } from '../../lib/domain/non-use-calls.js';
import { ACCOUNT, ADMIN, APP_ROLE, failed, keyArn, kmsEvent, shuffled } from './usage-test-events.js';

const KEY = keyArn('a');
const OTHER = keyArn('b');
const fold = (events: readonly KmsEvent[], keyArnOf = KEY): NonUseCallRecord | undefined =>
  events.reduce<NonUseCallRecord | undefined>((record, event) => applyNonUseCall(record, keyArnOf, event), undefined);

describe("a key's record of non-use calls", () => {
  it('keeps the latest DescribeKey, CreateGrant and RetireGrant of each caller, most recent first', () => {
    const events = [
      kmsEvent('DescribeKey', KEY, '2026-05-01T10:00:00.000Z'),
      kmsEvent('DescribeKey', KEY, '2026-05-03T10:00:00.000Z'),
      kmsEvent('CreateGrant', KEY, '2026-05-02T10:00:00.000Z', { caller: ADMIN }),
      kmsEvent('RetireGrant', KEY, '2026-04-20T10:00:00.000Z'),
    ];

    const calls = listNonUseCalls(fold(events));

    expect(calls.map((call) => [call.principal, call.operation, call.lastAt])).toEqual([
      [APP_ROLE.principal, 'DescribeKey', '2026-05-03T10:00:00.000Z'],
      [ADMIN.principal, 'CreateGrant', '2026-05-02T10:00:00.000Z'],
      [APP_ROLE.principal, 'RetireGrant', '2026-04-20T10:00:00.000Z'],
    ]);
    expect(calls[0]?.lastEventId).toBe(events[1]?.eventId);
  });

  it('ignores uses, failed calls and calls on another key', () => {
    const events = [
      kmsEvent('Decrypt', KEY, '2026-05-01T10:00:00.000Z'),
      failed('DescribeKey', KEY, '2026-05-01T11:00:00.000Z', 'AccessDeniedException', 'not allowed'),
      kmsEvent('DescribeKey', OTHER, '2026-05-01T12:00:00.000Z'),
    ];

    expect(listNonUseCalls(fold(events))).toEqual([]);
  });

  it('keeps the caller and the service it acted through apart', () => {
    const viaS3 = { ...APP_ROLE, service: 's3' };
    const events = [kmsEvent('DescribeKey', KEY, '2026-05-01T10:00:00.000Z'), kmsEvent('DescribeKey', KEY, '2026-05-01T09:00:00.000Z', { caller: viaS3 })];

    expect(listNonUseCalls(fold(events)).map((call) => call.service ?? 'direct')).toEqual(['direct', 's3']);
  });

  it(`stays within ${MAX_NON_USE_CALLS} callers, dropping the least recent`, () => {
    const events = Array.from({ length: MAX_NON_USE_CALLS + 25 }, (_, index) =>
      kmsEvent('DescribeKey', KEY, new Date(Date.UTC(2026, 4, 1) + index * 60_000).toISOString(), {
        caller: { principal: `arn:aws:iam::${ACCOUNT}:role/scanner-${index}`, principalType: 'AssumedRole' },
      }),
    );

    const calls = listNonUseCalls(fold(events));

    expect(calls).toHaveLength(MAX_NON_USE_CALLS);
    expect(calls.at(-1)?.principal).toBe(`arn:aws:iam::${ACCOUNT}:role/scanner-25`);
  });

  it('is the same whatever the order and however often events are applied', () => {
    const callers = [APP_ROLE, ADMIN];
    const eventArb = fc.record({
      operation: fc.constantFrom('DescribeKey', 'CreateGrant', 'RetireGrant', 'Decrypt'),
      minute: fc.integer({ min: 0, max: 20 }),
      caller: fc.integer({ min: 0, max: 1 }),
    });
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 30 }), fc.integer({ min: 1, max: 1000 }), (specs, seed) => {
        const events = specs.map((spec) =>
          kmsEvent(spec.operation, KEY, new Date(Date.UTC(2026, 4, 1, 0, spec.minute)).toISOString(), { caller: callers[spec.caller] ?? APP_ROLE }),
        );
        const messy = shuffled([...events, ...events.slice(0, 5)], seed);
        expect(listNonUseCalls(fold(messy))).toEqual(listNonUseCalls(fold(events)));
      }),
      { seed: 12, numRuns: 200 },
    );
  });
});
