import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { GSI1, TTL_ATTRIBUTE } from '../../lib/adapters/dynamodb-table.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';

describe('the DynamoDB Local harness', () => {
  const client = dynamoTestClient();

  it('creates a table with the production schema: pk/sk, the sparse gsi1 and the TTL attribute', async () => {
    const name = await createTestTable(client);

    const table = await client.send(new DescribeTableCommand({ TableName: name }));
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));

    expect(table.Table?.KeySchema?.map((key) => key.AttributeName)).toEqual(['pk', 'sk']);
    expect(table.Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual([GSI1]);
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe(TTL_ATTRIBUTE);
  });

  it('gives each table its own items', async () => {
    const first = await createTestTable(client);
    const second = await createTestTable(client);
    await client.send(new PutCommand({ TableName: first, Item: { pk: 'a', sk: 'b', value: 1 } }));

    const fromFirst = await client.send(new GetCommand({ TableName: first, Key: { pk: 'a', sk: 'b' } }));
    const fromSecond = await client.send(new GetCommand({ TableName: second, Key: { pk: 'a', sk: 'b' } }));

    expect(fromFirst.Item?.value).toBe(1);
    expect(fromSecond.Item).toBeUndefined();
  });
});
