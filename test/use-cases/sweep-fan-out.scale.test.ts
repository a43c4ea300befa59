/**
 * Done-when of issue 13 item 8: a deletion sweep over 50,000 keys in 20 accounts, through the planner, the FIFO work
 * queue and the worker handler, against the local KMS endpoint that throttles past the documented quotas. Each
 * invocation is given two seconds of (simulated) time, so accounts are handed on mid-page and page to page.
 */
import { describe, expect, it } from 'vitest';
import { KMS_REQUEST_QUOTAS } from '../../lib/adapters/kms-quotas.js';
import { runSweepScale, type SweepScaleResult } from '../support/sweep-scale.js';

const ACCOUNTS = 20;
const KEYS_PER_ACCOUNT = 2_500;

describe('a deletion sweep over 50,000 keys in 20 accounts', () => {
  let result: SweepScaleResult;

  it('visits every key of every account within the quotas, handing accounts on as time runs out', async () => {
    result = await runSweepScale({
      accounts: ACCOUNTS,
      keysPerAccount: KEYS_PER_ACCOUNT,
      pendingPerAccount: 1,
      // The worker stops 60 s before the end: two simulated seconds per invocation.
      remainingMs: 62_000,
      now: new Date('2026-06-01T12:00:00.000Z'),
    });
    expect(result.deadLetters).toBe(0);
    expect(result.keysPerAccount.size).toBe(ACCOUNTS);
    for (const [accountId, keyArns] of result.keysPerAccount) {
      const described = result.described.get(accountId) ?? new Set<string>();
      expect(keyArns.filter((keyArn) => !described.has(keyArn)), `keys of ${accountId} never described`).toEqual([]);
    }
    // No request was throttled, and no one-second window of any account came near a quota.
    const throttled = result.rates.filter((rate) => rate.throttled > 0);
    expect(throttled).toEqual([]);
    for (const rate of result.rates) {
      const quota = KMS_REQUEST_QUOTAS[rate.operation];
      expect(quota, rate.operation).toBeDefined();
      expect(rate.peakPerSecond, `${rate.accountId} ${rate.operation}`).toBeLessThanOrEqual((quota ?? 0) * 0.2);
    }
    // Every account took several invocations (mid-page and next-page continuations).
    expect(result.kinds.get('deletion-sweep')).toBeGreaterThan(ACCOUNTS * 3);
  }, 180_000);

  it('judged every key pending deletion exactly once', () => {
    const judged = result.decisions.map((decision) => decision.keyArn).sort();
    expect(judged).toEqual([...result.pending].sort());
  });
});
