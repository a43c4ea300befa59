/**
 * The Slack webhook URL from Secrets Manager, cached for a TTL (Powertools parameters is not installed).
 * The runtime builds one instance at module scope, so a warm Lambda reads the secret once per TTL;
 * concurrent callers share one in-flight read.
 * The secret holds the URL itself, or JSON {"url": "..."} / {"webhookUrl": "..."}.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../errors.js';
import type { WebhookUrlSource } from './slack-webhook.js';

/** Where a webhook URL may point. Slack's own host by default; a Slack-compatible gateway must be named. */
export const DEFAULT_WEBHOOK_HOSTS: readonly string[] = ['hooks.slack.com'];

export interface SecretsWebhookUrlOptions {
  readonly ttlMs?: number;
  readonly now?: () => number;
  /** Hosts the URL may name (exactly); default DEFAULT_WEBHOOK_HOSTS. */
  readonly allowedHosts?: readonly string[];
}

export class SecretsWebhookUrl implements WebhookUrlSource {
  private cached: { readonly value: Promise<string>; readonly expiresAt: number } | undefined;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    options: SecretsWebhookUrlOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    this.allowedHosts = options.allowedHosts ?? DEFAULT_WEBHOOK_HOSTS;
  }

  private readonly allowedHosts: readonly string[];

  get(): Promise<string> {
    const now = this.now();
    if (this.cached === undefined || this.cached.expiresAt <= now) {
      const value = this.read();
      this.cached = { value, expiresAt: now + this.ttlMs };
      // A failed read is not cached: the next call tries again.
      value.catch(() => {
        if (this.cached?.value === value) this.cached = undefined;
      });
    }
    return this.cached.value;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async read(): Promise<string> {
    const { SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    if (SecretString === undefined || SecretString.trim() === '') {
      throw new ConfigError(`secret ${this.secretId} holds no Slack webhook URL (empty or binary)`);
    }
    return webhookUrlFrom(SecretString, this.secretId, this.allowedHosts);
  }
}

/**
 * The URL a secret holds, checked: whoever can write the secret must not be able to send the guard's alerts (and
 * their evidence) anywhere but Slack. https only, to an allowed host; plain http only to a loopback host that is
 * explicitly allowed (a local gateway, the tests' Slack server).
 */
export const webhookUrlFrom = (secret: string, secretId: string, allowedHosts: readonly string[] = DEFAULT_WEBHOOK_HOSTS): string => {
  let candidate = secret.trim();
  if (candidate.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(candidate);
    } catch {
      throw new ConfigError(`secret ${secretId} looks like JSON but does not parse`);
    }
    const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    const url = record.url ?? record.webhookUrl;
    if (typeof url !== 'string') throw new ConfigError(`secret ${secretId} JSON has no "url" or "webhookUrl" string`);
    candidate = url.trim();
  }
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new ConfigError(`secret ${secretId} does not hold a URL`);
  }
  const host = url.hostname.toLowerCase();
  if (!allowedHosts.some((allowed) => [host, url.host.toLowerCase()].includes(allowed.toLowerCase()))) {
    throw new ConfigError(
      `secret ${secretId} names the host ${host}, which is not an allowed Slack webhook host (${allowedHosts.join(', ')}; setting KMS_GUARD_SLACK_ALLOWED_HOSTS)`,
    );
  }
  const loopback = host === 'localhost' || host === '[::1]' || host.startsWith('127.');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError(`secret ${secretId} URL must use https, got ${url.protocol.replace(':', '')}`);
  }
  if (url.username !== '' || url.password !== '') throw new ConfigError(`secret ${secretId} URL must not carry credentials`);
  return candidate;
};
