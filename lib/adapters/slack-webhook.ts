/**
 * Posts a message to a Slack Incoming Webhook. Slack's rate limit answers HTTP 429 with Retry-After
 * (seconds): wait that long and retry. 5xx and network errors are retried with exponential backoff.
 * Other 4xx (invalid_payload, no_service, channel_is_archived…) are permanent. Attempts are bounded;
 * what still fails is thrown so the invocation is retried and then dead-lettered, never lost.
 * The URL is a secret: it never appears in errors or logs.
 */
import { KmsGuardError } from '../errors.js';
import type { SlackMessage, SlackPoster } from '../domain/slack-message.js';

export class SlackDeliveryError extends KmsGuardError {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly attempts: number,
    readonly permanent: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Where the webhook URL comes from (a constant, or Secrets Manager with a cache). */
export interface WebhookUrlSource {
  get(): Promise<string>;
  /** Drops a cached URL, so a rotated secret is read again after Slack refused the old one. */
  invalidate?(): void;
}

export interface SlackWebhookOptions {
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for (the Lambda would time out): the post fails instead. */
  readonly maxRetryAfterSeconds?: number;
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class SlackWebhook implements SlackPoster {
  private readonly source: WebhookUrlSource;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterSeconds: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(url: string | WebhookUrlSource, options: SlackWebhookOptions = {}) {
    this.source = typeof url === 'string' ? { get: async () => url } : url;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 8_000;
    this.maxRetryAfterSeconds = options.maxRetryAfterSeconds ?? 30;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.sleep = options.sleep ?? defaultSleep;
  }

  async post(message: SlackMessage): Promise<void> {
    const url = await this.source.get();
    const body = JSON.stringify(message);
    for (let attempt = 1; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        if (attempt >= this.maxAttempts) {
          throw new SlackDeliveryError(`Slack webhook unreachable after ${attempt} attempts`, undefined, attempt, false, { cause: error });
        }
        await this.sleep(this.backoff(attempt));
        continue;
      }
      const text = (await response.text().catch(() => '')).slice(0, 200);
      if (response.ok) return;
      const status = response.status;
      if (status === 429) {
        const waitSeconds = retryAfterSeconds(response.headers.get('retry-after'));
        if (attempt >= this.maxAttempts || (waitSeconds ?? 0) > this.maxRetryAfterSeconds) {
          throw new SlackDeliveryError(`Slack rate limit (429, Retry-After ${waitSeconds ?? '?'}s) after ${attempt} attempts`, status, attempt, false);
        }
        await this.sleep(waitSeconds === undefined ? this.backoff(attempt) : waitSeconds * 1000);
        continue;
      }
      if (status >= 500) {
        if (attempt >= this.maxAttempts) {
          throw new SlackDeliveryError(`Slack webhook answered ${status} after ${attempt} attempts: ${text}`, status, attempt, false);
        }
        await this.sleep(this.backoff(attempt));
        continue;
      }
      // 403 invalid_token, 404 no_service, 410 channel_is_archived: the URL may have been rotated.
      if (status === 403 || status === 404 || status === 410) this.source.invalidate?.();
      throw new SlackDeliveryError(`Slack webhook refused the message (${status}): ${text}`, status, attempt, true);
    }
  }

  private backoff(attempt: number): number {
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
  }
}

/** Retry-After is seconds, or (rarely) an HTTP date. */
export const retryAfterSeconds = (header: string | null, now: number = Date.now()): number | undefined => {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
};
