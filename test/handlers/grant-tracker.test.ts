import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbGrantStore } from '../../lib/adapters/dynamodb-grant-store.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { buildGrantTrackerHandler } from '../../lib/handlers/grant-tracker.js';
import { InvalidRecordError } from '../../lib/errors.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const client = dynamoTestClient();
const logger = new Logger({ serviceName: 'grant-tracker-test', logLevel: 'SILENT' });
const context = { functionName: 'grant-tracker', awsRequestId: 'test-request', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

const sample = async (name: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(path.join(repoRoot, 'events/eventbridge', name), 'utf8')) as Record<string, unknown>;

describe('the grant tracker handler', () => {
  let usage: DynamoDbUsageStore;
  let grants: DynamoDbGrantStore;
  beforeAll(async () => {
    const table = await createTestTable(client);
    usage = new DynamoDbUsageStore(client, table);
    grants = new DynamoDbGrantStore(client, table);
  });

  it('records a CreateGrant from EventBridge as an active grant', async () => {
    const handler = buildGrantTrackerHandler({ usage, logger });
    const event = await sample('create-grant-ebs.json');

    const result = await handler(event, context);

    const active = await grants.listActiveGrants();
    // The grant, and the key's record of who created grants on it (grant evidence, not use).
    expect(result).toMatchObject({ recorded: 1, writes: 2 });
    expect(active).toHaveLength(1);
    expect(active[0]).toMatchObject({ status: 'active', source: 'cloudtrail' });
    expect(active[0]?.invokedBy).toBeDefined();
  });

  it('throws on a malformed event so EventBridge retries and dead-letters it', async () => {
    const handler = buildGrantTrackerHandler({ usage, logger });
    const event = structuredClone(await sample('create-grant-ebs.json'));
    event.detail = 'not an object';

    await expect(handler(event, context)).rejects.toBeInstanceOf(InvalidRecordError);
  });
});
