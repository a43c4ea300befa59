import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { daySk, keyPk } from '../../lib/adapters/dynamodb-table.js';
import { buildUsageTrackerHandler } from '../../lib/handlers/usage-tracker.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const client = dynamoTestClient();
const logger = new Logger({ serviceName: 'usage-tracker-test', logLevel: 'SILENT' });
const context = { functionName: 'usage-tracker', awsRequestId: 'test-request', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

const DECRYPT_KEY = 'arn:aws:kms:us-west-2:987654321098:key/02be2f6d-4e88-4bd3-84d4-97766993c5b4';
const S3_KEY = 'arn:aws:kms:us-east-1:830834166987:key/313e9dc0-fec9-4cac-b343-fc7233316514';
const PENDING_KEY = 'arn:aws:kms:us-east-1:111122223333:key/27d7cd14-7557-4509-a438-15fbf1e8db11';

const sample = async (): Promise<SQSEvent> =>
  JSON.parse(await readFile(path.join(repoRoot, 'events/sqs/usage-batch.json'), 'utf8')) as SQSEvent;

const TEMPLATE: SQSRecord = {
  messageId: 'template',
  receiptHandle: 'handle',
  body: '{}',
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'AIDA', ApproximateFirstReceiveTimestamp: '0' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:kms-guard-usage',
  awsRegion: 'us-east-1',
};

const withRecord = (event: SQSEvent, messageId: string, body: string): SQSEvent => {
  const template = structuredClone(event.Records[0] ?? TEMPLATE);
  return { Records: [...event.Records, { ...template, messageId, body }] };
};

describe('the usage tracker handler', () => {
  let tableName: string;
  beforeAll(async () => {
    tableName = await createTestTable(client);
  });

  it('stores the good messages of an SQS batch and returns the malformed one as a batch item failure', async () => {
    const usage = new DynamoDbUsageStore(client, tableName);
    const handler = buildUsageTrackerHandler({ usage, logger });
    const event = withRecord(await sample(), 'malformed-1', '{"detail-type": "AWS API Call via CloudTrail", "detail": ');

    const response = await handler(event, context);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'malformed-1' }] });
    expect((await usage.getUsage(DECRYPT_KEY)).dailyCounts).toEqual({ '2019-03-08': { Decrypt: 1 } });
    expect((await usage.getUsage(S3_KEY)).lastUsedByOperation).toEqual({ GenerateDataKey: '2025-10-27T00:01:13.000Z' });
    expect((await usage.getUsage(PENDING_KEY)).lastPendingDeletionFailure?.eventId).toBe('8e0f3f5a-2d7b-4c61-9a43-57c1d2b8e6f0');
  });

  it('records the heartbeat of each account and Region it saw read-only events for, and logs their count for the alarm', async () => {
    const own = await createTestTable(client);
    const usage = new DynamoDbUsageStore(client, own);
    const loud = new Logger({ serviceName: 'usage-tracker-test', logLevel: 'SILENT' });
    const info = vi.spyOn(loud, 'info');

    await buildUsageTrackerHandler({ usage, logger: loud })(await sample(), context);

    expect(await usage.getCoverage('987654321098', 'us-west-2')).toEqual({
      accountId: '987654321098',
      region: 'us-west-2',
      // The sample's one Decrypt in that account and Region.
      watchedSince: '2019-03-08T13:32:07.000Z',
      lastUsageEventAt: '2019-03-08T13:32:07.000Z',
    });
    expect(info).toHaveBeenCalledWith('batch recorded', expect.objectContaining({ readOnlyEvents: expect.any(Number) }));
    const logged = info.mock.calls.find(([message]) => message === 'batch recorded')?.[1] as { readOnlyEvents: number } | undefined;
    expect(logged?.readOnlyEvents).toBeGreaterThanOrEqual(2);
  });

  it('succeeds for a message redelivered after it was stored, counting it once', async () => {
    const usage = new DynamoDbUsageStore(client, tableName);
    const handler = buildUsageTrackerHandler({ usage, logger });

    const response = await handler(await sample(), context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect((await usage.getUsage(DECRYPT_KEY)).useCount).toBe(1);
  });

  it('fails exactly the messages whose key could not be written', async () => {
    const own = await createTestTable(client);
    // A bucket another writer left without a numeric version: every conditional write to it fails.
    await client.send(new PutCommand({ TableName: own, Item: { pk: keyPk(S3_KEY), sk: daySk('2025-10-27'), version: 'corrupt' } }));
    const usage = new DynamoDbUsageStore(client, own, { maxAttempts: 2, baseDelayMs: 1 });
    const handler = buildUsageTrackerHandler({ usage, logger });
    const event = await sample();

    const response = await handler(event, context);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]?.messageId }]);
    expect((await usage.getUsage(DECRYPT_KEY)).useCount).toBe(1);
  });

  it('warns, naming the message and the field, about a message whose key it cannot resolve', async () => {
    const warnings: unknown[][] = [];
    const watching = new Logger({ serviceName: 'usage-tracker-test', logLevel: 'SILENT' });
    watching.warn = (...args: unknown[]) => void warnings.push(args);
    const handler = buildUsageTrackerHandler({ usage: new DynamoDbUsageStore(client, tableName), logger: watching });
    const event = await sample();
    const body = JSON.parse(event.Records[0]?.body ?? '{}') as { detail: Record<string, unknown> };
    body.detail.resources = [];
    body.detail.requestParameters = { keyId: 'alias/orders' };
    body.detail.eventID = 'unresolved-1';

    const response = await handler(withRecord({ Records: [] }, 'no-key-1', JSON.stringify(body)), context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(warnings).toEqual([
      [
        'event names no key the guard can resolve: it records no use',
        expect.objectContaining({ messageId: 'no-key-1', eventId: 'unresolved-1', unresolvedKey: expect.stringContaining('detail.requestParameters.keyId: "alias/orders" is an alias') }),
      ],
    ]);
  });

  it('rejects an invocation that is not an SQS event at all', async () => {
    const handler = buildUsageTrackerHandler({ usage: new DynamoDbUsageStore(client, tableName), logger });

    await expect(handler({ Records: [{ body: '{}' }] }, context)).rejects.toThrow(/SQS event/);
  });
});
