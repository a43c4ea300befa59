import { Logger } from '@aws-lambda-powertools/logger';
import { ScheduleKeyDeletionCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoDbDecisionStore } from '../../lib/adapters/dynamodb-decision-store.js';
import { DynamoDbGrantStore } from '../../lib/adapters/dynamodb-grant-store.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { KmsKeyDirectory } from '../../lib/adapters/kms-key-directory.js';
import { DEFAULT_POLICY } from '../../lib/config.js';
import { buildDeletionSweepHandler, type DeletionSweepDeps } from '../../lib/handlers/deletion-sweep.js';
import { SweepFailedError } from '../../lib/use-cases/sweep-pending-deletions.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';
import { kmsClientFor, startFakeKms, type FakeKms } from '../support/fake-kms-server.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const context = { functionName: 'deletion-sweep', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:deletion-sweep' } as Context;
/** What EventBridge Scheduler sends: nothing the sweep needs. */
const scheduledEvent = { version: '0', id: 'sched-1', 'detail-type': 'Scheduled Event', source: 'aws.scheduler', account: '111122223333', time: NOW.toISOString(), region: 'us-east-1', resources: [], detail: '{}' };

describe('the deletion sweep handler', () => {
  let dynamo: DynamoDBDocumentClient;
  let fake: FakeKms;
  let kms: KMSClient;
  let deps: DeletionSweepDeps;

  beforeAll(() => {
    dynamo = dynamoTestClient();
  });

  afterAll(() => dynamo.destroy());

  beforeEach(async () => {
    const tableName = await createTestTable(dynamo);
    fake = await startFakeKms({ now: () => NOW });
    kms = kmsClientFor(fake);
    const directory = new KmsKeyDirectory(kms, { clock: { now: () => NOW } });
    deps = {
      config: { mode: 'dry-run', policy: DEFAULT_POLICY },
      logger: new Logger({ serviceName: 'kms-guard-test', logLevel: 'SILENT' }),
      clock: { now: () => NOW },
      usage: new DynamoDbUsageStore(dynamo, tableName),
      grants: new DynamoDbGrantStore(dynamo, tableName),
      decisions: new DynamoDbDecisionStore(dynamo, tableName),
      publisher: { publish: async () => undefined },
      keyDirectoryFor: () => directory,
      keyDirectories: () => [directory],
    };
  });

  afterEach(async () => {
    kms.destroy();
    await fake.close();
  });

  it('re-judges every pending key on schedule and counts what it decided', async () => {
    const keyArn = fake.createKey({ tags: { 'kms-guard:allow-deletion': 'true' } });
    fake.createKey();
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 30 }));

    const result = await buildDeletionSweepHandler(deps)(scheduledEvent, context);

    expect(result).toEqual({ decisions: 1, byAction: { 'allow-deletion': 1 } });
    expect(fake.state(keyArn)).toBe('PendingDeletion');
  });

  it('logs and rethrows when keys could not be swept', async () => {
    const error = vi.spyOn(deps.logger, 'error');
    fake.failNext('ListKeys', 3, { status: 503, type: 'ServiceUnavailableException' });

    await expect(buildDeletionSweepHandler(deps)(scheduledEvent, context)).rejects.toBeInstanceOf(SweepFailedError);
    expect(error).toHaveBeenCalledWith('sweep failed', expect.objectContaining({ error: expect.any(SweepFailedError) }));
  });
});
