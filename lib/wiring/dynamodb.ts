/** The single table's client and stores, for the functions that read or write it. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbCoverageStore } from '../adapters/dynamodb-coverage-store.js';
import { DynamoDbDecisionStore } from '../adapters/dynamodb-decision-store.js';
import { DynamoDbGrantStore } from '../adapters/dynamodb-grant-store.js';
import { createDocumentClient } from '../adapters/dynamodb-table.js';
import { DynamoDbUsageStore } from '../adapters/dynamodb-usage-store.js';
import type { RuntimeConfig } from '../config.js';

export const dynamoClient = (config: Pick<RuntimeConfig, 'region'>): DynamoDBClient => new DynamoDBClient({ region: config.region, maxAttempts: 5 });

export const documentClient = (config: Pick<RuntimeConfig, 'region'>): DynamoDBDocumentClient => createDocumentClient(dynamoClient(config));

export const usageStore = (documents: DynamoDBDocumentClient, config: Pick<RuntimeConfig, 'tableName'>) => new DynamoDbUsageStore(documents, config.tableName);
export const grantStore = (documents: DynamoDBDocumentClient, config: Pick<RuntimeConfig, 'tableName'>) => new DynamoDbGrantStore(documents, config.tableName);
export const decisionStore = (documents: DynamoDBDocumentClient, config: Pick<RuntimeConfig, 'tableName'>) =>
  new DynamoDbDecisionStore(documents, config.tableName);
export const coverageStore = (documents: DynamoDBDocumentClient, config: Pick<RuntimeConfig, 'tableName'>) =>
  new DynamoDbCoverageStore(documents, config.tableName);
