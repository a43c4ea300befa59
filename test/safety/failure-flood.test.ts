/**
 * A flood of calls failing on keys pending deletion, pushed through the deletion guard's real SQS batch path
 * (the parser, the collapse, the use case, the KMS adapter over the local KMS endpoint, DynamoDB Local), while a
 * ScheduleKeyDeletion on another key arrives directly. The flood costs a few evaluations, not one per call; the
 * scheduling still gets its decision; every failed call is accounted for; KMS evidence calls stay in budget.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BudgetedLimiter, EVIDENCE_OPERATIONS, KmsCallBudget } from '../../lib/adapters/kms-call-budget.js';
import { KmsKeyDirectory } from '../../lib/adapters/kms-key-directory.js';
import { UNLIMITED } from '../../lib/adapters/rate-limiter.js';
import { DEFAULT_POLICY } from '../../lib/config.js';
import { buildDeletionGuardHandler, type DeletionGuardDeps } from '../../lib/handlers/deletion-guard.js';
import { buildPendingUseBatchHandler } from '../../lib/handlers/pending-use-batch.js';
import { daysBefore, eventBridgeEnvelope, kmsEvent, scheduleEvent, scheduleRecord } from '../domain/deletion/kms-events.js';
import { startGuardWorld, type GuardWorld } from '../support/guard-world.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const context = { functionName: 'deletion-guard', awsRequestId: 'req-flood', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const FLOOD = 5_000;
const BATCH_SIZE = 500;
/** The event source's maximumConcurrency (infra/constructs/failure-buffer.ts): batches in flight at once. */
const CONCURRENT_BATCHES = 2;
const BUDGET = 100;
const CALLERS = 60;

const sqsRecord = (messageId: string, body: unknown): SQSRecord => ({
  messageId,
  receiptHandle: `handle-${messageId}`,
  body: JSON.stringify(body),
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'AIDA', ApproximateFirstReceiveTimestamp: '0' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:kms-guard-pending-use',
  awsRegion: 'us-east-1',
});

/** A real CloudTrail record of a Decrypt refused because its key is pending deletion, by one of CALLERS roles. */
const failedDecrypt = (keyArn: string, caller: number, at: Date) => ({
  ...scheduleRecord(keyArn, randomUUID(), at),
  eventName: 'Decrypt',
  errorCode: 'KMSInvalidStateException',
  errorMessage: `${keyArn} is pending deletion.`,
  requestParameters: { keyId: keyArn },
  responseElements: null,
  userIdentity: {
    type: 'AssumedRole',
    accountId: '111122223333',
    principalId: `AROA${caller}:session`,
    arn: `arn:aws:sts::111122223333:assumed-role/app-${caller}/session`,
    sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::111122223333:role/app-${caller}`, accountId: '111122223333', userName: `app-${caller}` } },
  },
});

describe('a flood of failed calls on keys pending deletion', () => {
  let world: GuardWorld;
  const logger = new Logger({ serviceName: 'kms-guard-test', logLevel: 'SILENT' });

  /** One Lambda container: its own KMS budget in front of the same local KMS endpoint. */
  const container = (budget: KmsCallBudget): DeletionGuardDeps => {
    const directory = new KmsKeyDirectory(world.kms, { limiter: new BudgetedLimiter(UNLIMITED, budget), clock: world.clock });
    return { ...world.ports, keyDirectoryFor: () => directory, config: { mode: 'enforce', policy: DEFAULT_POLICY }, logger, evidenceBudget: budget };
  };

  /** A key in recent use, scheduled for deletion; the usage tracker has recorded the scheduling. */
  const scheduledKey = async (): Promise<{ keyArn: string; eventId: string }> => {
    const keyArn = world.fake.createKey();
    await world.usage.record([kmsEvent('CreateKey', keyArn, daysBefore(NOW, 200)), kmsEvent('Encrypt', keyArn, daysBefore(NOW, 1))]);
    await world.kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
    const eventId = randomUUID();
    await world.usage.record([scheduleEvent(keyArn, eventId, NOW)]);
    return { keyArn, eventId };
  };

  beforeEach(async () => {
    world = await startGuardWorld({ now: () => NOW });
  });
  afterEach(() => world.close());

  it('cancels each flooded key once, decides the ScheduleKeyDeletion, fails only the malformed messages and stays in budget', async () => {
    const flooded = await Promise.all([scheduledKey(), scheduledKey(), scheduledKey()]);
    const scheduled = await scheduledKey();
    const records: SQSRecord[] = [];
    for (let index = 0; index < FLOOD; index += 1) {
      const keyArn = flooded[index % flooded.length]?.keyArn ?? '';
      const at = new Date(NOW.getTime() + 60_000 + index * 10);
      records.push(sqsRecord(`failure-${index}`, eventBridgeEnvelope(failedDecrypt(keyArn, Math.floor(index / flooded.length) % CALLERS, at))));
    }
    const malformed = ['bad-1', 'bad-2', 'bad-3'];
    malformed.forEach((messageId, index) => records.splice(1_000 * (index + 1), 0, sqsRecord(messageId, { detail: { eventTime: 42 } })));
    const batches: SQSRecord[][] = [];
    for (let start = 0; start < records.length; start += BATCH_SIZE) batches.push(records.slice(start, start + BATCH_SIZE));

    const consumers = Array.from({ length: CONCURRENT_BATCHES }, () => {
      const budget = new KmsCallBudget(BUDGET);
      return { budget, handle: buildPendingUseBatchHandler(container(budget)) };
    });
    const scheduling = buildDeletionGuardHandler(container(new KmsCallBudget(BUDGET)));
    const spentPerBatch: number[] = [];
    const failedItems: string[] = [];
    const started = performance.now();
    let schedulingResult: Awaited<ReturnType<typeof scheduling>> | undefined;
    for (let round = 0; round < batches.length; round += CONCURRENT_BATCHES) {
      const inFlight = consumers.map(async ({ budget, handle }, slot) => {
        const batch = batches[round + slot];
        if (batch === undefined) return;
        const response = (await handle({ Records: batch }, context)) as SQSBatchResponse;
        spentPerBatch.push(budget.used.spent);
        failedItems.push(...response.batchItemFailures.map((failure) => failure.itemIdentifier));
      });
      // The ScheduleKeyDeletion arrives in the middle of the flood, invoked directly (its own execution).
      if (round === 2 * CONCURRENT_BATCHES) {
        inFlight.push(
          scheduling(eventBridgeEnvelope(scheduleRecord(scheduled.keyArn, scheduled.eventId, NOW)), context).then((result) => {
            schedulingResult = result;
          }),
        );
      }
      await Promise.all(inFlight);
    }
    const elapsedMs = performance.now() - started;

    expect(schedulingResult).toEqual({ decisions: [{ decisionId: scheduled.eventId, action: 'cancel-deletion', reasons: ['recent-use'] }] });
    expect(world.fake.state(scheduled.keyArn)).toBe('Enabled');
    for (const { keyArn } of flooded) {
      expect(world.fake.state(keyArn), keyArn).toBe('Enabled');
      const cancellations = world.published.filter((decision) => decision.keyArn === keyArn && decision.action === 'cancel-deletion');
      expect(cancellations, keyArn).toHaveLength(1);
      expect(cancellations[0]?.reasons).toContain('use-while-pending-deletion');
      // Every distinct workload is accounted for: named (a few) or counted.
      const facts = (cancellations[0]?.evidence.reasons as Record<string, { callers: string[]; callersOmitted?: number; failedCalls?: number }>)['use-while-pending-deletion'];
      expect((facts?.callers.length ?? 0) + (facts?.callersOmitted ?? 0)).toBe(CALLERS);
      expect(facts?.failedCalls).toBeGreaterThan(100);
    }
    expect(world.fake.callsOf('CancelKeyDeletion')).toHaveLength(flooded.length + 1);
    // None dropped: only the malformed messages come back, to be retried and dead-lettered.
    expect(failedItems.sort()).toEqual([...malformed].sort());
    const evidenceCalls = world.fake.calls.filter((call) => EVIDENCE_OPERATIONS.has(call.operation)).length;
    for (const spent of spentPerBatch) expect(spent).toBeLessThanOrEqual(BUDGET);
    // Each key is read in full once (DescribeKey, then the 5 evidence calls) and afterwards costs one DescribeKey a
    // batch; the scheduling's 5: nowhere near one per failed call.
    expect(evidenceCalls).toBeLessThanOrEqual(flooded.length * 6 * CONCURRENT_BATCHES + batches.length * flooded.length + 5);
    console.info(`flood: ${records.length} messages in ${batches.length} batches, ${elapsedMs.toFixed(0)} ms, ${evidenceCalls} KMS evidence calls (budget ${BUDGET} per invocation, max spent ${Math.max(...spentPerBatch)})`);
  }, 60_000);
  it('fails closed once the evidence budget is spent: the keys it could not read are cancelled and left Disabled', async () => {
    const keys = await Promise.all(Array.from({ length: 30 }, () => scheduledKey()));
    const batch = keys.map(({ keyArn }, index) => sqsRecord(`failure-${index}`, eventBridgeEnvelope(failedDecrypt(keyArn, index, new Date(NOW.getTime() + 60_000)))));
    const budget = new KmsCallBudget(BUDGET);

    const response = (await buildPendingUseBatchHandler(container(budget))({ Records: batch }, context)) as SQSBatchResponse;

    expect(response.batchItemFailures).toEqual([]);
    expect(world.fake.calls.filter((call) => EVIDENCE_OPERATIONS.has(call.operation))).toHaveLength(BUDGET);
    const states = keys.map(({ keyArn }) => world.fake.state(keyArn));
    expect(states.filter((state) => state === 'PendingDeletion')).toEqual([]);
    // 6 calls a key (the state check, then the evidence): 16 keys were read and restored; the other 14 were cancelled blind.
    const readInFull = Math.floor(BUDGET / 6);
    expect(states.filter((state) => state === 'Enabled')).toHaveLength(readInFull);
    const blind = world.published.filter((decision) => decision.reasons.includes('evidence-unavailable'));
    expect(blind).toHaveLength(keys.length - readInFull);
    for (const decision of blind) {
      expect(world.fake.state(decision.keyArn)).toBe('Disabled');
      expect(JSON.stringify(decision.evidence)).toContain('KMS call budget exhausted');
    }
    expect(world.fake.callsOf('EnableKey')).toHaveLength(readInFull);
  });
  it('defers, rather than starts, an evaluation the invocation has no time left to finish', async () => {
    const { keyArn } = await scheduledKey();
    const batch = [sqsRecord('late-1', eventBridgeEnvelope(failedDecrypt(keyArn, 1, new Date(NOW.getTime() + 60_000))))];
    const nearTimeout = { ...context, getRemainingTimeInMillis: () => 10_000 } as Context;

    const response = (await buildPendingUseBatchHandler(container(new KmsCallBudget(BUDGET)))({ Records: batch }, nearTimeout)) as SQSBatchResponse;

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'late-1' }]);
    expect(world.fake.calls.filter((call) => EVIDENCE_OPERATIONS.has(call.operation))).toEqual([]);
    expect(world.fake.state(keyArn)).toBe('PendingDeletion');
  });
});
