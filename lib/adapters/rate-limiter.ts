/**
 * Client-side pacing so a sweep stays under KMS's per-account, per-Region request quotas instead of
 * leaning on throttling and retries (a throttled sweep also throttles the account's other callers).
 */

export interface RateLimiter {
  /** Resolves when one request for `operation` may be sent. */
  acquire(operation: string): Promise<void>;
}

/** Never waits: for tests and for callers that pace elsewhere. */
export const UNLIMITED: RateLimiter = { acquire: async () => {} };

export interface TokenBucketOptions {
  /** Tokens added per second, i.e. the sustained request rate. */
  readonly ratePerSecond: number;
  /** Most tokens held at once (the burst); defaults to one second's worth. */
  readonly burst?: number;
  readonly nowMs?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A token bucket; waiters are served in arrival order. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private queue: Promise<void> = Promise.resolve();
  private readonly burst: number;
  private readonly nowMs: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be positive, got ${options.ratePerSecond}`);
    this.burst = Math.max(1, options.burst ?? options.ratePerSecond);
    this.nowMs = options.nowMs ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.tokens = this.burst;
    this.updatedAt = this.nowMs();
  }

  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn;
    return turn;
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      const now = this.nowMs();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.options.ratePerSecond);
      this.updatedAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.options.ratePerSecond) * 1000));
    }
  }
}

/**
 * Default paced rates (requests per second), well below KMS's default quotas so the guard leaves
 * headroom for the account's own workloads. Operations not listed are not paced.
 */
export const DEFAULT_KMS_RATES: Readonly<Record<string, number>> = {
  ListGrants: 10,
  RevokeGrant: 5,
  ListKeys: 10,
  DescribeKey: 20,
  ListResourceTags: 10,
  ListAliases: 10,
  GetKeyLastUsage: 10,
};

/** One token bucket per KMS operation. */
export class OperationRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly ratesPerSecond: Readonly<Record<string, number>> = DEFAULT_KMS_RATES,
    private readonly bucketOptions: Omit<TokenBucketOptions, 'ratePerSecond'> = {},
  ) {}

  acquire(operation: string): Promise<void> {
    const rate = this.ratesPerSecond[operation];
    if (rate === undefined) return Promise.resolve();
    let bucket = this.buckets.get(operation);
    if (bucket === undefined) {
      bucket = new TokenBucket({ ...this.bucketOptions, ratePerSecond: rate });
      this.buckets.set(operation, bucket);
    }
    return bucket.take();
  }
}
