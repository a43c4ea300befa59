import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCustomKeyStoreRegistry } from '../../lib/adapters/dynamodb-custom-key-store-registry.js';
import { DynamoDbDecisionStore } from '../../lib/adapters/dynamodb-decision-store.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { DEFAULT_POLICY } from '../../lib/config.js';
import type { Decision } from '../../lib/domain/model.js';
import { buildDisabledUseBatchHandler } from '../../lib/handlers/disabled-use-batch.js';
import { DISABLE_KEY_2026, eventFrom, sampleRecord } from '../domain/alerts/samples.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';

const KEY = 'arn:aws:kms:us-east-1:715248393954:key/55487ec5-4c6b-4c87-80e5-3cfa8bcfc271';
const context = { functionName: 'kms-guard-policy-guard', awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const FLOOD = 2_000;
const WORKLOADS = 25;
const BATCH_SIZE = 500;

/** A Decrypt refused because the lab key is disabled, derived from the key's real DisableKey record. */
const failedDecrypt = (index: number): Record<string, unknown> => {
  const role = `app-${index % WORKLOADS}`;
  return {
    ...structuredClone(sampleRecord(DISABLE_KEY_2026)),
    eventName: 'Decrypt',
    eventID: `disabled-failure-${index}`,
    eventTime: new Date(Date.parse('2026-05-18T05:50:00Z') + index * 100).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    errorCode: 'DisabledException',
    errorMessage: `${KEY} is disabled.`,
    responseElements: null,
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::715248393954:assumed-role/${role}/session`,
      accountId: '715248393954',
      sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::715248393954:role/${role}`, accountId: '715248393954', userName: role } },
    },
  };
};

const sqsRecord = (messageId: string, detail: unknown): SQSRecord => ({
  messageId,
  receiptHandle: `handle-${messageId}`,
  body: JSON.stringify({ version: '0', id: `eb-${messageId}`, 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.kms', account: '715248393954', time: '2026-05-18T05:50:00Z', region: 'us-east-1', resources: [], detail }),
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'AIDA', ApproximateFirstReceiveTimestamp: '0' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:715248393954:kms-guard-disabled-use',
  awsRegion: 'us-east-1',
});

const published: Decision[] = [];
let usage: DynamoDbUsageStore;
let handler: ReturnType<typeof buildDisabledUseBatchHandler>;

beforeAll(async () => {
  const documents = dynamoTestClient();
  const table = await createTestTable(documents);
  usage = new DynamoDbUsageStore(documents, table);
  handler = buildDisabledUseBatchHandler({
    logger: new Logger({ serviceName: 'policy-guard-test', logLevel: 'SILENT' }),
    config: { mode: 'enforce', policy: DEFAULT_POLICY },
    clock: { now: () => new Date('2026-05-18T06:00:00Z') },
    usage,
    decisions: new DynamoDbDecisionStore(documents, table),
    publisher: { publish: async (decisions) => void published.push(...decisions) },
    customKeyStores: new DynamoDbCustomKeyStoreRegistry(documents, table),
  });
});

describe('the policy guard fed a flood of calls failing on a disabled key', () => {
  it('records every failed call, alerts once per broken workload and fails only the malformed message', async () => {
    await usage.record([eventFrom(sampleRecord(DISABLE_KEY_2026))]);
    const records = Array.from({ length: FLOOD }, (_, index) => sqsRecord(`failure-${index}`, failedDecrypt(index)));
    records.splice(700, 0, sqsRecord('bad-1', { eventTime: 42 }));
    const batches: SQSRecord[][] = [];
    for (let start = 0; start < records.length; start += BATCH_SIZE) batches.push(records.slice(start, start + BATCH_SIZE));

    const failed: string[] = [];
    // Two batches in flight at once, as the event source's maximumConcurrency allows.
    for (let round = 0; round < batches.length; round += 2) {
      const responses = await Promise.all(batches.slice(round, round + 2).map((batch) => handler({ Records: batch }, context) as Promise<SQSBatchResponse>));
      for (const response of responses) failed.push(...response.batchItemFailures.map((failure) => failure.itemIdentifier));
    }

    expect(failed).toEqual(['bad-1']);
    const alerts = published.filter((decision) => decision.decisionId.startsWith(`disabled-use#${KEY}#`));
    expect(alerts).toHaveLength(WORKLOADS);
    expect(new Set(alerts.map((alert) => alert.decisionId)).size).toBe(WORKLOADS);
    const recorded = (await usage.getUsage(KEY)).failures.filter((failure) => failure.errorCode === 'DisabledException');
    expect(recorded.reduce((sum, failure) => sum + failure.count, 0)).toBe(FLOOD);
  }, 60_000);
});
