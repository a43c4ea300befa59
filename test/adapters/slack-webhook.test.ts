import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretsWebhookUrl } from '../../lib/adapters/secrets-webhook-url.js';
import { SlackDecisionPublisher, SlackPublishError } from '../../lib/adapters/slack-publisher.js';
import { SlackDeliveryError, SlackWebhook, retryAfterSeconds } from '../../lib/adapters/slack-webhook.js';
import type { Decision } from '../../lib/domain/model.js';
import { SlackServer } from '../support/slack-server.js';

const message = { text: 'hello', blocks: [] };
const fast = { baseDelayMs: 5, maxDelayMs: 20 };
let slack: SlackServer;

beforeEach(async () => {
  slack = await SlackServer.start();
});
afterEach(async () => {
  await slack.close();
});

describe('posting to a Slack webhook', () => {
  it('waits for Retry-After after a 429 before trying again', async () => {
    slack.failNext(1, { status: 429, retryAfter: 1 });
    await new SlackWebhook(slack.url, fast).post(message);
    expect(slack.requests.map((request) => request.status)).toEqual([429, 200]);
    const [limited, retried] = slack.requests;
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(slack.delivered).toEqual([message]);
  });

  it('retries 5xx with backoff and delivers once', async () => {
    slack.failNext(2, { status: 500 });
    await new SlackWebhook(slack.url, fast).post(message);
    expect(slack.requests.map((request) => request.status)).toEqual([500, 500, 200]);
    expect(slack.delivered).toHaveLength(1);
  });

  it('gives up after the bounded number of attempts and throws', async () => {
    slack.failNext(10, { status: 503 });
    const failure = await new SlackWebhook(slack.url, { ...fast, maxAttempts: 3 }).post(message).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SlackDeliveryError);
    expect(failure).toMatchObject({ status: 503, attempts: 3, permanent: false });
    expect(slack.requests).toHaveLength(3);
  });

  it('does not retry a permanent 4xx, and keeps the secret URL out of the error', async () => {
    slack.failNext(1, { status: 400, body: 'invalid_payload' });
    const failure = await new SlackWebhook(slack.url, fast).post(message).catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 400, permanent: true });
    expect(String((failure as Error).message)).toContain('invalid_payload');
    expect(String((failure as Error).message)).not.toContain(slack.url);
    expect(slack.requests).toHaveLength(1);
  });

  it('fails rather than wait a Retry-After longer than the Lambda can', async () => {
    slack.failNext(1, { status: 429, retryAfter: 120 });
    const failure = await new SlackWebhook(slack.url, { ...fast, maxRetryAfterSeconds: 30 }).post(message).catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 429 });
    expect(slack.requests).toHaveLength(1);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterSeconds('3')).toBe(3);
    expect(retryAfterSeconds('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5);
    expect(retryAfterSeconds(null)).toBeUndefined();
  });
});

describe('the Slack decision publisher used by replay', () => {
  const decision = (decisionId: string): Decision => ({
    decisionId, action: 'alert', keyArn: 'arn:aws:kms:us-east-1:111122223333:key/k', reasons: ['policy-lockout'], evidence: {},
    eventId: decisionId, decidedAt: '2024-01-01T00:00:00.000Z', accountId: '111122223333', region: 'us-east-1', dryRun: true,
  });

  it('posts one Block Kit message per decision', async () => {
    await new SlackDecisionPublisher(slack.url, fast).publish([decision('a'), decision('b')]);
    expect(slack.delivered).toHaveLength(2);
    expect(JSON.stringify(slack.delivered[1])).toContain('policy-lockout');
  });

  it('tries every decision and names those it could not post', async () => {
    slack.failNext(1, { status: 404, body: 'no_service' });
    const failure = await new SlackDecisionPublisher(slack.url, fast).publish([decision('a'), decision('b')]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SlackPublishError);
    expect((failure as SlackPublishError).decisionIds).toEqual(['a']);
    expect(slack.delivered).toHaveLength(1);
  });
});

describe('the webhook URL from Secrets Manager', () => {
  const secrets = mockClient(SecretsManagerClient);
  afterEach(() => secrets.reset());

  it('is read once and cached until the TTL passes', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'https://hooks.slack.com/services/T/B/1' });
    let now = 0;
    const url = new SecretsWebhookUrl(new SecretsManagerClient({ region: 'us-east-1' }), 'kms-guard/slack', { ttlMs: 1000, now: () => now });
    expect(await Promise.all([url.get(), url.get()])).toEqual(['https://hooks.slack.com/services/T/B/1', 'https://hooks.slack.com/services/T/B/1']);
    now = 999;
    await url.get();
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    now = 1000;
    await url.get();
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(secrets.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: 'kms-guard/slack' });
  });

  it('accepts JSON {"url": ...}, rejects a secret that is not a URL, and does not cache a failure', async () => {
    secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'not a url' }).resolves({ SecretString: '{"url":"https://hooks.slack.com/services/T/B/2"}' });
    const url = new SecretsWebhookUrl(new SecretsManagerClient({ region: 'us-east-1' }), 'kms-guard/slack');
    await expect(url.get()).rejects.toThrow(/does not hold a URL/);
    expect(await url.get()).toBe('https://hooks.slack.com/services/T/B/2');
  });

  it.each([
    ['another host', 'https://evil.example/services/T/B/1', /names the host evil\.example, which is not an allowed Slack webhook host \(hooks\.slack\.com/],
    ['a look-alike host', 'https://hooks.slack.com.evil.example/services/T/B/1', /not an allowed Slack webhook host/],
    ['plain http to Slack', 'http://hooks.slack.com/services/T/B/1', /must use https, got http/],
    ['credentials in the URL', 'https://user:pass@hooks.slack.com/services/T/B/1', /must not carry credentials/],
  ])('refuses a secret pointing at %s: whoever can write the secret must not redirect the alerts', async (_what, secret, reason) => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: secret });
    const url = new SecretsWebhookUrl(new SecretsManagerClient({ region: 'us-east-1' }), 'kms-guard/slack');
    await expect(url.get()).rejects.toThrow(reason);
  });

  it('accepts a Slack-compatible gateway once it is allowed', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'https://chat-gateway.example.com/hooks/1' });
    const url = new SecretsWebhookUrl(new SecretsManagerClient({ region: 'us-east-1' }), 'kms-guard/slack', { allowedHosts: ['chat-gateway.example.com'] });
    expect(await url.get()).toBe('https://chat-gateway.example.com/hooks/1');
  });

  it('is read again after Slack refused the cached URL (a rotated webhook)', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: slack.url });
    const url = new SecretsWebhookUrl(new SecretsManagerClient({ region: 'us-east-1' }), 'kms-guard/slack', { allowedHosts: ['127.0.0.1'] });
    slack.failNext(1, { status: 410, body: 'channel_is_archived' });
    const webhook = new SlackWebhook(url, fast);
    await expect(webhook.post(message)).rejects.toThrow(/410/);
    await webhook.post(message);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});
