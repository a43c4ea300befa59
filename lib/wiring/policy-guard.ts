/** policy-guard: the stores, the decision bus, and what KMS and CloudHSM say about custom key stores. */
import { CloudHSMV2Client } from '@aws-sdk/client-cloudhsm-v2';
import { KMSClient } from '@aws-sdk/client-kms';
import { LiveCustomKeyStoreRegistry } from '../adapters/custom-key-store-live-registry.js';
import { DynamoDbCustomKeyStoreRegistry } from '../adapters/dynamodb-custom-key-store-registry.js';
import { DEFAULT_KMS_CLIENT_CONFIG } from '../adapters/kms-client-config.js';
import { baseRuntime, once } from './base.js';
import { decisionStore, documentClient, usageStore } from './dynamodb.js';
import { decisionPublisher } from './publisher.js';

export const policyGuardRuntime = once(() => {
  const base = baseRuntime();
  const { config } = base;
  const documents = documentClient(config);
  return {
    ...base,
    usage: usageStore(documents, config),
    decisions: decisionStore(documents, config),
    publisher: decisionPublisher(config),
    customKeyStores: new LiveCustomKeyStoreRegistry(
      new KMSClient({ ...DEFAULT_KMS_CLIENT_CONFIG, region: config.region }),
      new CloudHSMV2Client({ region: config.region }),
      new DynamoDbCustomKeyStoreRegistry(documents, config.tableName),
    ),
  };
});
