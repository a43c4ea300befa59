import { describe, expect, it } from 'vitest';
import { OperationRateLimiter, TokenBucket } from '../../lib/adapters/rate-limiter.js';

/** A clock that only moves when the limiter sleeps, so pacing is measured without real waiting. */
const virtualTime = () => {
  let nowMs = 0;
  const sleeps: number[] = [];
  return {
    nowMs: () => nowMs,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      nowMs += ms;
    },
    sleeps,
    elapsed: () => nowMs,
  };
};

describe('the KMS rate limiter', () => {
  it('lets a burst through, then paces requests at the configured rate', async () => {
    const time = virtualTime();
    const bucket = new TokenBucket({ ratePerSecond: 5, burst: 2, nowMs: time.nowMs, sleep: time.sleep });

    for (let request = 0; request < 7; request += 1) await bucket.take();

    // 2 from the burst, then 5 more at 5/s: one every 200 ms.
    expect(time.elapsed()).toBe(1_000);
    expect(time.sleeps).toEqual([200, 200, 200, 200, 200]);
  });

  it('serves concurrent callers one token at a time', async () => {
    const time = virtualTime();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 1, nowMs: time.nowMs, sleep: time.sleep });

    await Promise.all(Array.from({ length: 4 }, () => bucket.take()));

    expect(time.elapsed()).toBe(300);
  });

  it('paces each operation on its own bucket and leaves unlisted operations unpaced', async () => {
    const time = virtualTime();
    const limiter = new OperationRateLimiter({ RevokeGrant: 5, ListGrants: 10 }, { burst: 1, nowMs: time.nowMs, sleep: time.sleep });

    await limiter.acquire('RevokeGrant');
    await limiter.acquire('ListGrants');
    await limiter.acquire('DescribeKey');
    await limiter.acquire('DescribeKey');
    await limiter.acquire('RevokeGrant');

    expect(time.sleeps).toEqual([200]);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0 })).toThrow(RangeError);
  });
});
