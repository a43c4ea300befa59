/** policy-guard: the stores, the decision bus, and what KMS and CloudHSM say about custom key stores. */
import { KMSClient } from '@aws-sdk/client-kms';
import { STSClient } from '@aws-sdk/client-sts';
import { scopedCustomKeyStoreClients } from '../adapters/custom-key-store-clients.js';
import { LiveCustomKeyStoreRegistry } from '../adapters/custom-key-store-live-registry.js';
import { DynamoDbCustomKeyStoreRegistry } from '../adapters/dynamodb-custom-key-store-registry.js';
import { KmsDirectoryFactory } from '../adapters/kms-directory-factory.js';
import { KMS_THROTTLED_MESSAGE, watchKmsThrottling } from '../adapters/kms-throttle-watch.js';
import { baseRuntime, once } from './base.js';
import { decisionStore, documentClient, usageStore } from './dynamodb.js';
import { decisionPublisher } from './publisher.js';

export const policyGuardRuntime = once(() => {
  const base = baseRuntime();
  const { config } = base;
  const documents = documentClient(config);
  // Only the factory's credentials are used: a member account's stores are asked about through its remediation role.
  const accounts = new KmsDirectoryFactory({
    guardAccountId: config.accountId,
    remediationRoleName: config.remediationRoleName,
    sts: config.remediationRoleName === undefined ? undefined : new STSClient({ region: config.region }),
  });
  return {
    ...base,
    usage: usageStore(documents, config),
    decisions: decisionStore(documents, config),
    publisher: decisionPublisher(config),
    customKeyStores: new LiveCustomKeyStoreRegistry(
      scopedCustomKeyStoreClients({
        region: config.region,
        guardAccountId: config.accountId,
        credentialsFor: (accountId, region) => accounts.credentialsFor(accountId, region),
        createKmsClient: (kmsConfig) =>
          watchKmsThrottling(new KMSClient(kmsConfig), (operation, errorName) => base.logger.warn(KMS_THROTTLED_MESSAGE, { operation, errorName })),
      }),
      new DynamoDbCustomKeyStoreRegistry(documents, config.tableName),
    ),
  };
});
