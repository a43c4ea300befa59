/** `--store dynamodb-local` and `--endpoint`: the production adapters on a DynamoDB table, ours or the user's. */
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, ResourceInUseException, UpdateTimeToLiveCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDbCoverageStore } from '../adapters/dynamodb-coverage-store.js';
import { DynamoDbCustomKeyStoreRegistry } from '../adapters/dynamodb-custom-key-store-registry.js';
import { DynamoDbDecisionStore } from '../adapters/dynamodb-decision-store.js';
import { DynamoDbGrantStore } from '../adapters/dynamodb-grant-store.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../adapters/dynamodb-local.js';
import { createDocumentClient, tableDefinition } from '../adapters/dynamodb-table.js';
import { DynamoDbUsageStore } from '../adapters/dynamodb-usage-store.js';
import type { ReplayArgs } from './args.js';
import { describeFailure } from './describe-failure.js';
import { freshTableName, type ReplayStores } from './replay-stores.js';

export const openDynamoDbStores = async (args: ReplayArgs, onStarting: () => void): Promise<ReplayStores> => {
  let local: DynamoDbLocal | undefined;
  if (args.endpoint === undefined) {
    onStarting();
    local = await startDynamoDbLocal().catch((error: unknown) => {
      throw new Error(`DynamoDB Local did not start (it needs Java 17 or later): ${describeFailure(error)}`);
    });
  }
  const endpoint = args.endpoint ?? local?.endpoint ?? '';
  // DynamoDB Local (ours, or one on this machine) accepts any credentials; a real endpoint uses the default chain.
  const client = new DynamoDBClient({
    region: args.region,
    endpoint,
    ...(isLoopback(endpoint) ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  const ownTable = args.table === undefined;
  const tableName = args.table ?? freshTableName();
  let closed = false;
  const close = async (report: (line: string) => void): Promise<void> => {
    if (closed) return;
    closed = true;
    if (ownTable && local === undefined) {
      // Ours, on a real endpoint: the run's history goes with it (name one with --table to keep it).
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch((error: unknown) => {
        report(`kms-guard: could not delete the table ${tableName} this run created: ${describeFailure(error)}`);
      });
    }
    client.destroy();
    await local?.stop();
  };
  try {
    await ensureTable(client, tableName).catch((error: unknown) => {
      throw new Error(`could not create the table ${tableName} at the DynamoDB endpoint ${endpoint}: ${describeFailure(error)}`);
    });
  } catch (error) {
    await close(() => {});
    throw error;
  }
  const documents = createDocumentClient(client);
  return {
    stores: {
      usage: new DynamoDbUsageStore(documents, tableName),
      grants: new DynamoDbGrantStore(documents, tableName),
      decisions: new DynamoDbDecisionStore(documents, tableName),
      coverage: new DynamoDbCoverageStore(documents, tableName),
      customKeyStores: new DynamoDbCustomKeyStoreRegistry(documents, tableName),
    },
    close,
  };
};

const isLoopback = (endpoint: string): boolean => {
  if (endpoint === '') return false;
  const { hostname } = new URL(endpoint);
  return hostname === 'localhost' || hostname === '[::1]' || hostname.startsWith('127.');
};

/** Creates the table with the production schema, or uses it as it is when --table names one that exists. */
const ensureTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  const definition = tableDefinition(tableName);
  try {
    await client.send(new CreateTableCommand(definition.createTable));
  } catch (error) {
    if (error instanceof ResourceInUseException) return;
    throw error;
  }
  // A real endpoint creates tables asynchronously.
  await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true } }),
  );
};
