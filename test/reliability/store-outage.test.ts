/**
 * DynamoDB disappears in the middle of a usage batch: a TCP proxy in front of DynamoDB Local lets some requests
 * through, then refuses the rest. The handler's partial batch failures must name exactly the messages whose
 * events were not stored, and once SQS redelivers those (and only those) the state equals a clean run's.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSRecord } from 'aws-lambda';
import { inject, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lib/adapters/dynamodb-table.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { buildUsageTrackerHandler } from '../../lib/handlers/usage-tracker.js';
import { parseSqsMessage } from '../../lib/ingest/parse-record.js';
import { keyLines } from '../../lib/replay/report.js';
import { sqsBatches } from '../bench/synthetic-stream.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';
import { TcpFaultProxy } from '../support/tcp-fault-proxy.js';

/** What the store holds per key: the replay's key line plus its non-use calls (a separate item, written in the same batch). */
const storedLines = async (usage: DynamoDbUsageStore): Promise<Record<string, unknown>[]> =>
  Promise.all(
    (await keyLines(usage)).map(async (line) => ({ ...line, nonUseCalls: (await usage.getUsage(String(line.keyArn))).nonUseCalls ?? [] })),
  );

const logger = new Logger({ serviceName: 'store-outage', logLevel: 'SILENT' });
const context = { functionName: 'usage-tracker', awsRequestId: 'outage', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

/** One production-shaped batch: 400 messages over 30 keys, with redeliveries and shuffled arrival. */
const batch = (): { Records: SQSRecord[] } => {
  const [first] = [...sqsBatches({ events: 400, keys: 30, seed: 3, batchSize: 400 })];
  if (first === undefined) throw new Error('no batch');
  return first;
};

describe('the usage tracker when DynamoDB goes away mid-batch', () => {
  const direct = dynamoTestClient();
  let proxy: TcpFaultProxy;
  let throughProxy: DynamoDBClient;

  beforeAll(async () => {
    proxy = await TcpFaultProxy.start(inject('dynamoEndpoint'));
    throughProxy = new DynamoDBClient({
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 500, requestTimeout: 2_000 },
    });
  });

  afterAll(async () => {
    throughProxy.destroy();
    direct.destroy();
    await proxy.close();
  });

  it('fails exactly the messages it could not store, and the redelivery completes the state', async () => {
    const event = batch();
    const clean = await createTestTable(direct);
    expect(await buildUsageTrackerHandler({ usage: new DynamoDbUsageStore(direct, clean), logger })(event, context)).toEqual({ batchItemFailures: [] });
    const expected = await storedLines(new DynamoDbUsageStore(direct, clean));

    const faulty = await createTestTable(direct);
    const store = new DynamoDbUsageStore(createDocumentClient(throughProxy), faulty);
    proxy.cutAfterRequests(24);

    const first = await buildUsageTrackerHandler({ usage: store, logger })(event, context);
    proxy.restore();

    // Which keys made it is read back from the store itself (directly, not through the proxy).
    const stored = new Map((await storedLines(new DynamoDbUsageStore(direct, faulty))).map((line) => [line.keyArn, line]));
    const complete = new Set(expected.filter((line) => JSON.stringify(stored.get(line.keyArn)) === JSON.stringify(line)).map((line) => line.keyArn));
    const notStored = event.Records.filter((record) => {
      const outcome = parseSqsMessage(record);
      return outcome.kind === 'event' && outcome.event.keyArns.some((keyArn) => expected.some((line) => line.keyArn === keyArn) && !complete.has(keyArn));
    });
    const failed = first.batchItemFailures.map((failure) => failure.itemIdentifier);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThan(event.Records.length);
    expect(failed.sort()).toEqual(notStored.map((record) => record.messageId).sort());

    const redelivery = { Records: event.Records.filter((record) => failed.includes(record.messageId)) };
    const second = await buildUsageTrackerHandler({ usage: store, logger })(redelivery, context);

    expect(second).toEqual({ batchItemFailures: [] });
    expect(await storedLines(new DynamoDbUsageStore(direct, faulty))).toEqual(expected);
  });

  it('fails the whole batch while the store is down and loses nothing once it is back', async () => {
    const event = batch();
    const clean = await createTestTable(direct);
    await buildUsageTrackerHandler({ usage: new DynamoDbUsageStore(direct, clean), logger })(event, context);
    const faulty = await createTestTable(direct);
    const store = new DynamoDbUsageStore(createDocumentClient(throughProxy), faulty);
    proxy.cut();

    const first = await buildUsageTrackerHandler({ usage: store, logger })(event, context);
    proxy.restore();
    const failed = new Set(first.batchItemFailures.map((failure) => failure.itemIdentifier));
    const second = await buildUsageTrackerHandler({ usage: store, logger })({ Records: event.Records.filter((record) => failed.has(record.messageId)) }, context);

    // Every message naming a key, a DescribeKey's too: the handler fails messages by key, and a redelivered read is harmless.
    const keyed = event.Records.filter((record) => {
      const outcome = parseSqsMessage(record);
      return outcome.kind === 'event' && outcome.event.keyArns.length > 0;
    });
    expect([...failed].sort()).toEqual(keyed.map((record) => record.messageId).sort());
    expect(second).toEqual({ batchItemFailures: [] });
    expect(await storedLines(new DynamoDbUsageStore(direct, faulty))).toEqual(await storedLines(new DynamoDbUsageStore(direct, clean)));
  });
});
