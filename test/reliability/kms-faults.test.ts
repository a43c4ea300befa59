/**
 * Faults at the KMS boundary, through the deletion guard's real handler: the local KMS endpoint answers with
 * throttling, 5xx or not at all (timeouts), with the real SDK's retries in between. No decision is lost: a
 * cancellation either succeeds or leaves a stored `cancel-failed` alert and an error for EventBridge to retry, and
 * the redelivery repairs the key. Concurrent deliveries of one ScheduleKeyDeletion cancel exactly once; those that
 * find the first still at work are thrown back for a retry.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { ScheduleKeyDeletionCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbDecisionStore } from '../../lib/adapters/dynamodb-decision-store.js';
import { DynamoDbGrantStore } from '../../lib/adapters/dynamodb-grant-store.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { KmsKeyDirectory } from '../../lib/adapters/kms-key-directory.js';
import { DEFAULT_POLICY } from '../../lib/config.js';
import type { Decision } from '../../lib/domain/model.js';
import { buildDeletionGuardHandler, type DeletionGuardDeps } from '../../lib/handlers/deletion-guard.js';
import { DecisionInProgressError } from '../../lib/use-cases/enact-decision.js';
import { DeletionRepairFailedError } from '../../lib/use-cases/guard-deletion.js';
import { daysBefore, eventBridgeEnvelope, kmsEvent, scheduleEvent, scheduleRecord } from '../domain/deletion/kms-events.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';
import { kmsClientFor, startFakeKms, type FakeKms, type FakeKmsFault } from '../support/fake-kms-server.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const context = { functionName: 'deletion-guard', awsRequestId: 'reliability', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

describe('the deletion guard under KMS faults', () => {
  const dynamo = dynamoTestClient();
  let fake: FakeKms;
  let kms: KMSClient;
  let deps: DeletionGuardDeps;
  let published: Decision[];

  afterAll(() => dynamo.destroy());

  beforeEach(async () => {
    const tableName = await createTestTable(dynamo);
    fake = await startFakeKms({ now: () => NOW });
    // A short request timeout so that a stalled KMS costs the test little; retries as in production (3 attempts).
    kms = kmsClientFor(fake, { requestTimeoutMs: 300 });
    const directory = new KmsKeyDirectory(kms, { clock: { now: () => NOW } });
    published = [];
    deps = {
      config: { mode: 'enforce', policy: DEFAULT_POLICY },
      logger: new Logger({ serviceName: 'kms-faults', logLevel: 'SILENT' }),
      clock: { now: () => NOW },
      usage: new DynamoDbUsageStore(dynamo, tableName),
      grants: new DynamoDbGrantStore(dynamo, tableName),
      decisions: new DynamoDbDecisionStore(dynamo, tableName),
      publisher: { publish: async (batch) => void published.push(...batch) },
      keyDirectoryFor: () => directory,
      historySettle: { timeoutMs: 0, intervalMs: 0 },
    };
  });

  afterEach(async () => {
    kms.destroy();
    await fake.close();
  });

  /** A key in use until yesterday, scheduled for deletion at NOW: the guard must cancel and re-enable it. */
  const scheduledKey = async () => {
    const keyArn = fake.createKey({ creationDate: daysBefore(NOW, 200) });
    await deps.usage.record([kmsEvent('CreateKey', keyArn, daysBefore(NOW, 200)), kmsEvent('Decrypt', keyArn, daysBefore(NOW, 1))]);
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
    const eventId = randomUUID();
    // The usage tracker records the scheduling too (before the repair's EnableKey looks for it).
    await deps.usage.record([scheduleEvent(keyArn, eventId, NOW)]);
    return { keyArn, eventId, event: eventBridgeEnvelope(scheduleRecord(keyArn, eventId, NOW)) };
  };

  const THROTTLED: FakeKmsFault = { status: 400, type: 'ThrottlingException' };
  const INTERNAL: FakeKmsFault = { status: 500, type: 'KMSInternalException', message: 'internal error' };
  const UNAVAILABLE: FakeKmsFault = { status: 503 };
  const STALLED: FakeKmsFault = { delayMs: 1_000 };

  it.each([
    ['throttling', THROTTLED],
    ['a 500', INTERNAL],
    ['a 503', UNAVAILABLE],
    ['a timeout', STALLED],
  ])('cancels through two failed attempts of %s on every call it makes', async (_, fault) => {
    const { keyArn, eventId, event } = await scheduledKey();
    for (const operation of ['DescribeKey', 'ListGrants', 'CancelKeyDeletion', 'EnableKey']) fake.failNext(operation, 2, fault);

    const result = await buildDeletionGuardHandler(deps)(event, context);

    expect(result.decisions).toEqual([{ decisionId: eventId, action: 'cancel-deletion', reasons: ['recent-use'] }]);
    expect(fake.state(keyArn)).toBe('Enabled');
    expect((await deps.decisions.get(eventId))?.outcome).toEqual([
      { call: 'CancelKeyDeletion', result: 'ok' },
      { call: 'EnableKey', result: 'ok' },
    ]);
  });

  it.each([
    ['throttling', THROTTLED],
    ['a 500', INTERNAL],
    ['a timeout', STALLED],
  ])('stores a cancel-failed alert and throws when CancelKeyDeletion keeps failing with %s; the redelivery repairs', async (_, fault) => {
    const { keyArn, eventId, event } = await scheduledKey();
    fake.failNext('CancelKeyDeletion', 3, fault);
    const handler = buildDeletionGuardHandler(deps);

    await expect(handler(event, context)).rejects.toBeInstanceOf(DeletionRepairFailedError);

    expect(fake.state(keyArn)).toBe('PendingDeletion');
    expect(await deps.decisions.get(`${eventId}#cancel-failed`)).toMatchObject({ action: 'alert', keyArn, reasons: ['cancel-failed', 'recent-use'] });
    expect(await deps.decisions.get(eventId)).toMatchObject({ action: 'cancel-deletion', outcome: [expect.objectContaining({ result: 'failed' }), expect.anything()] });
    expect(published.map((decision) => decision.action)).toEqual(['cancel-deletion', 'alert']);

    const retried = await handler(event, context);

    expect(retried.decisions).toEqual([{ decisionId: eventId, action: 'cancel-deletion', reasons: ['recent-use'] }]);
    expect(fake.state(keyArn)).toBe('Enabled');
    expect(published.filter((decision) => decision.action === 'alert')).toHaveLength(1);
  });

  it('cancels once for eight parallel deliveries of one ScheduleKeyDeletion through the handler, some throttled', async () => {
    const { keyArn, eventId, event } = await scheduledKey();
    fake.failNext('DescribeKey', 3, THROTTLED);
    const handler = buildDeletionGuardHandler(deps);

    const results = await Promise.allSettled(Array.from({ length: 8 }, () => handler(structuredClone(event), context)));

    const decided = results.flatMap((result) => (result.status === 'fulfilled' ? result.value.decisions : []));
    expect(decided).toEqual([{ decisionId: eventId, action: 'cancel-deletion', reasons: ['recent-use'] }]);
    // A delivery that found the first one still at work throws, so EventBridge retries it (and then finds it done).
    for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(DecisionInProgressError);
    expect(fake.callsOf('CancelKeyDeletion')).toHaveLength(1);
    expect(fake.callsOf('EnableKey')).toHaveLength(1);
    expect((await deps.decisions.list()).map((decision) => decision.decisionId)).toEqual([eventId]);
    expect(published).toHaveLength(1);
    expect(fake.state(keyArn)).toBe('Enabled');
  });
});
