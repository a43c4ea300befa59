/**
 * Production wiring: the adapters every Lambda shares, built once per container at cold start from
 * lib/config.ts. A missing or wrong setting fails the cold start with a message naming the variable.
 * Handlers take what they need from this object; tests build their own deps instead.
 */
import { CloudHSMV2Client } from '@aws-sdk/client-cloudhsm-v2';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { Logger } from '@aws-lambda-powertools/logger';
import { LiveCustomKeyStoreRegistry } from './adapters/custom-key-store-live-registry.js';
import { DynamoDbCoverageStore } from './adapters/dynamodb-coverage-store.js';
import { DynamoDbCustomKeyStoreRegistry } from './adapters/dynamodb-custom-key-store-registry.js';
import { DynamoDbDecisionStore } from './adapters/dynamodb-decision-store.js';
import { DynamoDbGrantStore } from './adapters/dynamodb-grant-store.js';
import { createDocumentClient } from './adapters/dynamodb-table.js';
import { DynamoDbUsageStore } from './adapters/dynamodb-usage-store.js';
import { EventBridgeDecisionPublisher } from './adapters/eventbridge-publisher.js';
import { DEFAULT_KMS_CLIENT_CONFIG, KmsDirectoryFactory } from './adapters/kms-directory-factory.js';
import { SecretsWebhookUrl } from './adapters/secrets-webhook-url.js';
import { SlackWebhook } from './adapters/slack-webhook.js';
import { loadConfig } from './config.js';
import type { Clock, DecisionPublisher, KeyDirectory } from './domain/ports.js';
import type { SlackPoster } from './domain/slack-message.js';
import { notifierIdempotencyStore } from './handlers/notifier.js';
import { ConfigError } from './errors.js';

const systemClock: Clock = { now: () => new Date() };

/** Without a guard bus, decisions are still stored and logged; nothing else is told. */
const NO_PUBLISHER: DecisionPublisher = { publish: async () => {} };

const buildRuntime = () => {
  const config = loadConfig();
  const logger = new Logger({ serviceName: 'kms-guard' });
  const dynamo = new DynamoDBClient({ region: config.region, maxAttempts: 5 });
  const documents = createDocumentClient(dynamo);
  const kmsDirectories = new KmsDirectoryFactory({
    guardAccountId: config.accountId,
    remediationRoleName: config.remediationRoleName,
    sts: config.remediationRoleName === undefined ? undefined : new STSClient({ region: config.region }),
    clientConfig: { ...DEFAULT_KMS_CLIENT_CONFIG, region: config.region },
  });
  const watchedAccounts = [config.accountId, ...config.memberAccountIds];
  return {
    config,
    logger,
    clock: systemClock,
    usage: new DynamoDbUsageStore(documents, config.tableName),
    grants: new DynamoDbGrantStore(documents, config.tableName),
    coverage: new DynamoDbCoverageStore(documents, config.tableName),
    decisions: new DynamoDbDecisionStore(documents, config.tableName),
    publisher:
      config.eventBusName === undefined
        ? NO_PUBLISHER
        : new EventBridgeDecisionPublisher(new EventBridgeClient({ region: config.region }), config.eventBusName),
    keyDirectoryFor: (keyArn: string): KeyDirectory => kmsDirectories.forKey(keyArn),
    keyDirectories: (): KeyDirectory[] =>
      watchedAccounts.map((accountId) => kmsDirectories.forAccountRegion(accountId, config.region)),
    customKeyStores: new LiveCustomKeyStoreRegistry(
      new KMSClient({ ...DEFAULT_KMS_CLIENT_CONFIG, region: config.region }),
      new CloudHSMV2Client({ region: config.region }),
      new DynamoDbCustomKeyStoreRegistry(documents, config.tableName),
    ),
    slack: slackPoster(config.slackSecretName, config.region, config.slackAllowedHosts),
    notifierIdempotency: notifierIdempotencyStore(dynamo, config.tableName),
  };
};

/** Only the notifier posts; without a secret it fails each post with a message naming the setting. */
const slackPoster = (secretName: string | undefined, region: string, allowedHosts: readonly string[]): SlackPoster =>
  secretName === undefined
    ? {
        post: async () => {
          throw new ConfigError('KMS_GUARD_SLACK_SECRET is not set: the notifier has no Slack webhook to post to');
        },
      }
    : new SlackWebhook(new SecretsWebhookUrl(new SecretsManagerClient({ region }), secretName, { allowedHosts }));

let runtime: ReturnType<typeof buildRuntime> | undefined;

export type Runtime = ReturnType<typeof buildRuntime>;

/** The production runtime, built once per container. */
export const productionRuntime = (): Runtime => {
  runtime ??= buildRuntime();
  return runtime;
};

