import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCustomKeyStoreRegistry } from '../../lib/adapters/dynamodb-custom-key-store-registry.js';
import { DynamoDbDecisionStore } from '../../lib/adapters/dynamodb-decision-store.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { DEFAULT_POLICY } from '../../lib/config.js';
import type { Decision } from '../../lib/domain/model.js';
import { buildPolicyGuardHandler } from '../../lib/handlers/policy-guard.js';
import { InvalidRecordError } from '../../lib/errors.js';
import { PUBLIC_POLICY, sampleRecord } from '../domain/alerts/samples.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';

const context = { functionName: 'kms-guard-policy-guard', awsRequestId: 'r', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const published: Decision[] = [];
let handler: ReturnType<typeof buildPolicyGuardHandler>;
let usage: DynamoDbUsageStore;

/** The EventBridge event a CloudTrail record arrives in. */
const eventBridge = (detail: Record<string, unknown>, id = 'eb-1') => ({
  version: '0',
  id,
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.kms',
  account: '111122223333',
  time: '2022-09-01T20:06:16Z',
  region: 'us-west-2',
  resources: [],
  detail,
});

beforeAll(async () => {
  const documents = dynamoTestClient();
  const table = await createTestTable(documents);
  usage = new DynamoDbUsageStore(documents, table);
  handler = buildPolicyGuardHandler({
    logger: new Logger({ serviceName: 'policy-guard-test', logLevel: 'SILENT' }),
    config: { mode: 'enforce', policy: DEFAULT_POLICY },
    clock: { now: () => new Date('2025-03-06T00:00:00Z') },
    usage,
    decisions: new DynamoDbDecisionStore(documents, table),
    publisher: { publish: async (decisions) => void published.push(...decisions) },
    customKeyStores: new DynamoDbCustomKeyStoreRegistry(documents, table),
  });
});

describe('the policy guard handler', () => {
  it('records the event and alerts on a PutKeyPolicy that opens the key to everyone', async () => {
    const record = structuredClone(sampleRecord('awsdocs-kms-developer-guide/ct-put-key-policy.json'));
    const params = record.requestParameters as Record<string, unknown>;
    params.policy = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }] });
    const result = await handler(eventBridge(record), context);
    expect(result.alerts).toEqual(['c217db1f-903f-4a2f-8f88-9580182d6313']);
    expect(published.at(-1)?.reasons).toEqual(['policy-lockout', 'public-key-policy']);
    const key = await usage.getKey('arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(key?.policy?.value).toBe(params.policy);
  });

  it('accepts a bare CloudTrail record too (replay shape)', async () => {
    const result = await handler(sampleRecord(PUBLIC_POLICY), context);
    expect(result.alerts).toEqual(['test-04']);
  });

  it('throws a clear reason for an event it cannot read, so the failure destination keeps it', async () => {
    const broken = eventBridge({ eventName: 'PutKeyPolicy', eventSource: 'kms.amazonaws.com' }, 'eb-broken');
    const failure = await handler(broken, context).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InvalidRecordError);
    expect(String((failure as Error).message)).toContain('EventBridge event eb-broken');
  });

  it('skips a valid event that is not about KMS', async () => {
    const result = await handler({ ...eventBridge({}), source: 'aws.s3', 'detail-type': 'Object Created' }, context);
    expect(result.skipped).toMatch(/not a KMS event/);
    expect(result.alerts).toEqual([]);
  });
});
