/**
 * Request quotas for the local KMS endpoint, as KMS applies them: per calling account, Region and operation,
 * requests per second. A request past the quota is answered with ThrottlingException and not counted as served.
 * The meter keeps what a report needs: requests served, the most served in any one-second window, and throttles.
 */

export interface QuotaMeterOptions {
  /** Requests per second per operation (e.g. KMS_REQUEST_QUOTAS); operations not listed are not limited. */
  readonly quotas: Readonly<Record<string, number>>;
  /** The clock the windows are measured on (the rate limiter's, when a test controls time). Default Date.now. */
  readonly nowMs?: () => number;
}

export interface OperationRate {
  readonly accountId: string;
  readonly region: string;
  readonly operation: string;
  readonly quota?: number;
  /** Requests answered normally. */
  readonly served: number;
  /** The most requests served within any one second (a sliding window). */
  readonly peakPerSecond: number;
  readonly throttled: number;
}

interface Window {
  /** Times (ms) of the requests served in the last second, oldest first. */
  readonly times: number[];
  head: number;
  served: number;
  peak: number;
  throttled: number;
}

export class QuotaMeter {
  private readonly windows = new Map<string, Window>();
  private readonly nowMs: () => number;

  constructor(private readonly options: QuotaMeterOptions) {
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Counts one request; false when it exceeds the quota (the caller answers ThrottlingException). */
  admit(accountId: string, region: string, operation: string): boolean {
    const id = `${accountId}/${region}/${operation}`;
    let window = this.windows.get(id);
    if (window === undefined) {
      window = { times: [], head: 0, served: 0, peak: 0, throttled: 0 };
      this.windows.set(id, window);
    }
    const now = this.nowMs();
    while (window.head < window.times.length && (window.times[window.head] ?? 0) <= now - 1000) window.head += 1;
    if (window.head > 4096) {
      window.times.splice(0, window.head);
      window.head = 0;
    }
    const quota = this.options.quotas[operation];
    if (quota !== undefined && window.times.length - window.head + 1 > quota) {
      window.throttled += 1;
      return false;
    }
    window.times.push(now);
    window.served += 1;
    window.peak = Math.max(window.peak, window.times.length - window.head);
    return true;
  }

  rates(): OperationRate[] {
    return [...this.windows.entries()]
      .map(([id, window]) => {
        const [accountId = '', region = '', operation = ''] = id.split('/');
        const quota = this.options.quotas[operation];
        return { accountId, region, operation, ...(quota === undefined ? {} : { quota }), served: window.served, peakPerSecond: window.peak, throttled: window.throttled };
      })
      .sort((a, b) => `${a.accountId}/${a.operation}`.localeCompare(`${b.accountId}/${b.operation}`));
  }
}
