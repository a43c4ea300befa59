/**
 * Tests talk to the one DynamoDB Local engine that global-setup.ts starts; each test file creates its
 * own table with the production schema, so files never see each other's items.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createDocumentClient, createTable } from '../../lib/adapters/dynamodb-table.js';

declare module 'vitest' {
  interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/** A client configured as production's (SDK retries included), pointed at DynamoDB Local. */
export const dynamoTestClient = (): DynamoDBDocumentClient =>
  createDocumentClient(
    new DynamoDBClient({
      endpoint: inject('dynamoEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 3,
    }),
  );

export const uniqueTableName = (prefix = 'kms-guard-test'): string => `${prefix}-${randomUUID()}`;

/** Creates a table with the production schema (tableDefinition) and returns its name. */
export const createTestTable = async (client: DynamoDBDocumentClient, name: string = uniqueTableName()): Promise<string> =>
  createTable(client, name);
