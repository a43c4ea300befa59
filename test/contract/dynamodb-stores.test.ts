/** The store contract against production's DynamoDB adapters, on DynamoDB Local (a fresh table per case). */
import { afterAll } from 'vitest';
import { DynamoDbCoverageStore } from '../../lib/adapters/dynamodb-coverage-store.js';
import { DynamoDbCustomKeyStoreRegistry } from '../../lib/adapters/dynamodb-custom-key-store-registry.js';
import { DynamoDbDecisionStore } from '../../lib/adapters/dynamodb-decision-store.js';
import { DynamoDbGrantStore } from '../../lib/adapters/dynamodb-grant-store.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';
import { describeStoreContract } from './store-contract.js';

const client = dynamoTestClient();
afterAll(() => client.destroy());

describeStoreContract('the DynamoDB store', async () => {
  const table = await createTestTable(client);
  return {
    usage: new DynamoDbUsageStore(client, table),
    grants: new DynamoDbGrantStore(client, table),
    decisions: new DynamoDbDecisionStore(client, table),
    coverage: new DynamoDbCoverageStore(client, table),
    customKeyStores: new DynamoDbCustomKeyStoreRegistry(client, table),
  };
});
