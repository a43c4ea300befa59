/**
 * The DynamoDB Local engine's own ceiling on this machine: small-item GetItem + conditional PutItem pairs (the
 * shape of one OCC write), at a given concurrency. It bounds what any store adapter can reach against it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, createTable } from '../../lib/adapters/dynamodb-table.js';

export interface EngineFigures {
  readonly pairs: number;
  readonly concurrency: number;
  readonly pairsPerSec: number;
}

export const measureEngine = async (endpoint: string, tableName: string, pairs = 2000, concurrency = 16, itemBytes = 200): Promise<EngineFigures> => {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const documents = createDocumentClient(client);
  try {
    await createTable(documents, tableName);
    const padding = 'x'.repeat(itemBytes);
    let next = 0;
    const worker = async () => {
      while (next < pairs) {
        const index = next++;
        const key = { pk: `KEY#bench-${index % 500}`, sk: `DAY#${index}` };
        await documents.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
        await documents.send(new PutCommand({ TableName: tableName, Item: { ...key, padding, version: 1 }, ConditionExpression: 'attribute_not_exists(pk)' }));
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { pairs, concurrency, pairsPerSec: Math.round(pairs / ((performance.now() - started) / 1000)) };
  } finally {
    client.destroy();
  }
};
