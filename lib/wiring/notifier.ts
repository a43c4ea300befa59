/** notifier: the Slack webhook (its URL in Secrets Manager) and the idempotency records on the table. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsWebhookUrl } from '../adapters/secrets-webhook-url.js';
import { SlackWebhook } from '../adapters/slack-webhook.js';
import type { SlackPoster } from '../domain/slack-message.js';
import { ConfigError } from '../errors.js';
import { notifierIdempotencyStore } from '../handlers/notifier.js';
import { baseRuntime, once } from './base.js';
import { dynamoClient } from './dynamodb.js';

export const notifierRuntime = once(() => {
  const base = baseRuntime();
  const { config } = base;
  return { ...base, slack: slackPoster(config.slackSecretName, config.region, config.slackAllowedHosts), notifierIdempotency: notifierIdempotencyStore(dynamoClient(config), config.tableName) };
});

/** Only the notifier posts; without a secret it fails each post with a message naming the setting. */
export const slackPoster = (secretName: string | undefined, region: string, allowedHosts: readonly string[]): SlackPoster =>
  secretName === undefined
    ? {
        post: async () => {
          throw new ConfigError('KMS_GUARD_SLACK_SECRET is not set: the notifier has no Slack webhook to post to');
        },
      }
    : new SlackWebhook(new SecretsWebhookUrl(new SecretsManagerClient({ region }), secretName, { allowedHosts }));
