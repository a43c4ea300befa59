/**
 * The store contract against production's DynamoDB adapters, on DynamoDB Local (a fresh table per case). Each adapter
 * has its own client that records the IAM actions its calls need: after the contract they must be exactly those the
 * stack grants for it (lib/adapters/dynamodb-actions.ts), so a function's policy allows what its stores call, no more.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { dynamoDbActionsOf, type TableStoreName } from '../../lib/adapters/dynamodb-actions.js';
import { DynamoDbCoverageStore } from '../../lib/adapters/dynamodb-coverage-store.js';
import { DynamoDbCustomKeyStoreRegistry } from '../../lib/adapters/dynamodb-custom-key-store-registry.js';
import { DynamoDbDecisionStore } from '../../lib/adapters/dynamodb-decision-store.js';
import { DynamoDbGrantStore } from '../../lib/adapters/dynamodb-grant-store.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { recordingDynamoClient } from '../support/dynamodb-actions.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';
import { describeStoreContract } from './store-contract.js';

const admin = dynamoTestClient();
const recorders = {
  usage: recordingDynamoClient(),
  grants: recordingDynamoClient(),
  decisions: recordingDynamoClient(),
  coverage: recordingDynamoClient(),
  customKeyStores: recordingDynamoClient(),
} satisfies Partial<Record<TableStoreName, unknown>>;
afterAll(() => {
  admin.destroy();
  for (const recorder of Object.values(recorders)) recorder.base.destroy();
});

describeStoreContract('the DynamoDB store', async () => {
  const table = await createTestTable(admin);
  return {
    usage: new DynamoDbUsageStore(recorders.usage.documents, table),
    grants: new DynamoDbGrantStore(recorders.grants.documents, table),
    decisions: new DynamoDbDecisionStore(recorders.decisions.documents, table),
    coverage: new DynamoDbCoverageStore(recorders.coverage.documents, table),
    customKeyStores: new DynamoDbCustomKeyStoreRegistry(recorders.customKeyStores.documents, table),
  };
});

describe('the DynamoDB actions each store needs', () => {
  /** The usage store's listKeyArns (Scan) is granted apart: only the replay calls it. */
  const granted: Record<keyof typeof recorders, readonly TableStoreName[]> = {
    usage: ['usage', 'usageKeyList'],
    grants: ['grants'],
    decisions: ['decisions'],
    coverage: ['coverage'],
    customKeyStores: ['customKeyStores'],
  };
  it.each(Object.keys(recorders) as (keyof typeof recorders)[])('%s: exactly the actions granted for it', (store) => {
    expect([...recorders[store].actions].sort()).toEqual(dynamoDbActionsOf(granted[store]));
  });
});
