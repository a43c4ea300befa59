import { randomUUID } from 'node:crypto';
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
import type { Decision } from '../../lib/domain/model.js';
import { InvalidRecordError } from '../../lib/errors.js';
import { buildDeletionGuardHandler, type DeletionGuardDeps } from '../../lib/handlers/deletion-guard.js';
import { daysBefore, eventBridgeEnvelope, kmsEvent, scheduleRecord } from '../domain/deletion/kms-events.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';
import { kmsClientFor, startFakeKms, type FakeKms } from '../support/fake-kms-server.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const context = { functionName: 'deletion-guard', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:deletion-guard' } as Context;

describe('the deletion guard handler', () => {
  let dynamo: DynamoDBDocumentClient;
  let fake: FakeKms;
  let kms: KMSClient;
  let deps: DeletionGuardDeps;
  let published: Decision[];

  beforeAll(() => {
    dynamo = dynamoTestClient();
  });

  afterAll(() => dynamo.destroy());

  beforeEach(async () => {
    const tableName = await createTestTable(dynamo);
    fake = await startFakeKms({ now: () => NOW });
    kms = kmsClientFor(fake);
    const directory = new KmsKeyDirectory(kms, { clock: { now: () => NOW } });
    published = [];
    deps = {
      config: { mode: 'enforce', policy: DEFAULT_POLICY },
      logger: new Logger({ serviceName: 'kms-guard-test', logLevel: 'SILENT' }),
      clock: { now: () => NOW },
      usage: new DynamoDbUsageStore(dynamo, tableName),
      grants: new DynamoDbGrantStore(dynamo, tableName),
      decisions: new DynamoDbDecisionStore(dynamo, tableName),
      publisher: { publish: async (batch) => void published.push(...batch) },
      keyDirectoryFor: () => directory,
    };
  });

  afterEach(async () => {
    kms.destroy();
    await fake.close();
  });

  it('cancels the deletion carried by a real ScheduleKeyDeletion EventBridge event', async () => {
    const keyArn = fake.createKey();
    await deps.usage.record([kmsEvent('CreateKey', keyArn, daysBefore(NOW, 200)), kmsEvent('Encrypt', keyArn, daysBefore(NOW, 1))]);
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
    const eventId = randomUUID();

    const result = await buildDeletionGuardHandler(deps)(eventBridgeEnvelope(scheduleRecord(keyArn, eventId, NOW)), context);

    expect(result).toEqual({ decisions: [{ decisionId: eventId, action: 'cancel-deletion', reasons: ['recent-use'] }] });
    expect(fake.state(keyArn)).toBe('Enabled');
    expect(published[0]?.deletionDate).toBe('2026-06-08T12:00:00.000Z');
  });

  it('throws on a malformed event, naming the field, so EventBridge retries and dead-letters it', async () => {
    const envelope = eventBridgeEnvelope(scheduleRecord(fake.createKey(), randomUUID(), NOW));
    const malformed = { ...envelope, detail: { ...envelope.detail, eventTime: 42 } };
    const error = vi.spyOn(deps.logger, 'error');

    const handling = buildDeletionGuardHandler(deps)(malformed, context);

    await expect(handling).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(handling).rejects.toThrow(/eventTime/);
    expect(error).toHaveBeenCalledWith('event rejected', expect.objectContaining({ reason: expect.stringMatching(/eventTime/) }));
    expect(published).toEqual([]);
  });

  it('logs and returns without a decision for an event that is not KMS', async () => {
    const warn = vi.spyOn(deps.logger, 'warn');
    const ec2 = { version: '0', id: 'e-1', 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', account: '111122223333', time: NOW.toISOString(), region: 'us-east-1', resources: [], detail: {} };

    const result = await buildDeletionGuardHandler(deps)(ec2, context);

    expect(result).toEqual({ decisions: [] });
    expect(warn).toHaveBeenCalledWith('event skipped', expect.objectContaining({ reason: expect.stringContaining('aws.ec2') }));
  });

  it('logs and ignores a KMS event it does not decide on', async () => {
    const keyArn = fake.createKey();
    const warn = vi.spyOn(deps.logger, 'warn');
    const record = { ...scheduleRecord(keyArn, randomUUID(), NOW), eventName: 'EnableKey', errorCode: 'KMSInvalidStateException', errorMessage: `${keyArn} is pending deletion.` };

    const result = await buildDeletionGuardHandler(deps)(eventBridgeEnvelope(record), context);

    expect(result).toEqual({ decisions: [] });
    expect(warn).toHaveBeenCalledWith('event ignored', { reason: 'EnableKey is not a cryptographic operation' });
    expect(fake.callsOf('CancelKeyDeletion')).toHaveLength(0);
  });
});
