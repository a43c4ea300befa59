import { describe, expect, it } from 'vitest';
import { MAX_FAILURE_CALLERS, USAGE_DAY_BUDGET_BYTES } from '../../lib/domain/usage-bounds.js';
import { summarizeUsage } from '../../lib/domain/usage-summary.js';
import { MAX_CALLERS_PER_DAY, foldUsage, mergeUsage, type UsageDay } from '../../lib/domain/usage.js';
import { jsonBytes } from '../../lib/domain/size-budget.js';
import { ACCOUNT, failed, keyArn, kmsEvent } from './usage-test-events.js';

const KEY = keyArn('bounds');

/** A role with a long path, as a hostile caller may choose (IAM allows 512 characters of path). */
const caller = (index: number) => ({ principal: `arn:aws:iam::${ACCOUNT}:role/${'p'.repeat(200)}/flood-${index}`, principalType: 'AssumedRole' });

const merge = (events: Parameters<typeof foldUsage>[0]): UsageDay => {
  let day: UsageDay | undefined;
  for (const delta of foldUsage(events)) day = mergeUsage(day, delta).day;
  if (day === undefined) throw new Error('no bucket');
  return day;
};

describe('the size budget of a usage day bucket', () => {
  it('names 50 failing callers per failure kind and counts the other 5,950, staying under budget', () => {
    const events = Array.from({ length: 6_000 }, (_, index) =>
      failed('Decrypt', KEY, new Date(Date.parse('2026-05-01T00:00:00.000Z') + index * 1_000).toISOString(), 'AccessDeniedException', 'not authorized', {
        caller: caller(index),
      }),
    );
    expect(jsonBytes(events.map((event) => event.caller.principal))).toBeGreaterThan(400 * 1024);

    const day = merge(events);

    const failure = day.failures['Decrypt|AccessDeniedException'];
    expect(failure?.count).toBe(6_000);
    expect(failure?.callers).toHaveLength(MAX_FAILURE_CALLERS);
    expect(failure?.callersOmitted).toBe(6_000 - MAX_FAILURE_CALLERS);
    expect(jsonBytes(day)).toBeLessThan(USAGE_DAY_BUDGET_BYTES);
  });

  it('keeps the cap when days are folded into a summary', () => {
    const onDay = (date: string, from: number) =>
      Array.from({ length: 40 }, (_, index) => failed('Encrypt', KEY, `${date}T00:00:${String(index).padStart(2, '0')}.000Z`, 'AccessDeniedException', 'no', { caller: caller(from + index) }));

    const summary = summarizeUsage(KEY, [merge(onDay('2026-05-01', 0)), merge(onDay('2026-05-02', 1_000))]);

    expect(summary.failures[0]?.callers).toHaveLength(MAX_FAILURE_CALLERS);
    expect(summary.failures[0]?.callersOmitted).toBe(80 - MAX_FAILURE_CALLERS);
  });

  it('drops the least recent successful callers when even 500 of them would not fit', () => {
    const events = Array.from({ length: 2_000 }, (_, index) =>
      kmsEvent('Decrypt', KEY, new Date(Date.parse('2026-05-01T00:00:00.000Z') + index * 1_000).toISOString(), {
        caller: { principal: `arn:aws:iam::${ACCOUNT}:role/${'q'.repeat(500)}/app-${index}`, principalType: 'AssumedRole' },
      }),
    );

    const day = merge(events);

    expect(jsonBytes(day)).toBeLessThanOrEqual(USAGE_DAY_BUDGET_BYTES);
    const kept = Object.values(day.callers);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThanOrEqual(MAX_CALLERS_PER_DAY);
    // The newest caller is among those kept; the counts are untouched.
    expect(Object.keys(day.callers).some((id) => id.endsWith('/app-1999'))).toBe(true);
    expect(day.counts.Decrypt).toBe(2_000);
  });
});
