import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { ScheduleKeyDeletionCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_POLICY } from '../../lib/config.js';
import type { Decision } from '../../lib/domain/model.js';
import { InvalidRecordError } from '../../lib/errors.js';
import { buildDeletionGuardHandler, type DeletionGuardDeps } from '../../lib/handlers/deletion-guard.js';
import { DecisionInProgressError } from '../../lib/use-cases/enact-decision.js';
import { daysBefore, eventBridgeEnvelope, kmsEvent, scheduleEvent, scheduleRecord } from '../domain/deletion/kms-events.js';
import type { FakeKms } from '../support/fake-kms-server.js';
import { startGuardWorld, type GuardWorld } from '../support/guard-world.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const context = { functionName: 'deletion-guard', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:deletion-guard' } as Context;

describe('the deletion guard handler', () => {
  let world: GuardWorld;
  let fake: FakeKms;
  let kms: KMSClient;
  let deps: DeletionGuardDeps;
  let published: Decision[];

  beforeEach(async () => {
    world = await startGuardWorld({ now: () => NOW });
    ({ fake, kms, published } = world);
    deps = {
      ...world.ports,
      config: { mode: 'enforce', policy: DEFAULT_POLICY },
      logger: new Logger({ serviceName: 'kms-guard-test', logLevel: 'SILENT' }),
    };
  });

  afterEach(() => world.close());

  it('cancels the deletion carried by a real ScheduleKeyDeletion EventBridge event', async () => {
    const keyArn = fake.createKey();
    await deps.usage.record([kmsEvent('CreateKey', keyArn, daysBefore(NOW, 200)), kmsEvent('Encrypt', keyArn, daysBefore(NOW, 1))]);
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
    const eventId = randomUUID();
    // The usage tracker records the same event (the usage rule matches it too).
    await deps.usage.record([scheduleEvent(keyArn, eventId, NOW)]);

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
    expect(warn).toHaveBeenCalledWith('event ignored', { reason: 'EnableKey is not a workload operation' });
    expect(fake.callsOf('CancelKeyDeletion')).toHaveLength(0);
  });

  describe('failing closed', () => {
    const scheduled = async () => {
      const keyArn = fake.createKey();
      await deps.usage.record([kmsEvent('CreateKey', keyArn, daysBefore(NOW, 200)), kmsEvent('Encrypt', keyArn, daysBefore(NOW, 1))]);
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
      const eventId = randomUUID();
      await deps.usage.record([scheduleEvent(keyArn, eventId, NOW)]);
      return { keyArn, eventId };
    };

    it('cancels and leaves the key Disabled when KMS denies the evidence, naming what it could not read', async () => {
      const { keyArn, eventId } = await scheduled();
      fake.failNext('DescribeKey', Infinity, { status: 400, type: 'AccessDeniedException', message: 'not authorized' });

      const result = await buildDeletionGuardHandler(deps)(eventBridgeEnvelope(scheduleRecord(keyArn, eventId, NOW)), context);

      expect(result).toEqual({ decisions: [{ decisionId: eventId, action: 'cancel-deletion', reasons: ['evidence-unavailable'] }] });
      expect(fake.state(keyArn)).toBe('Disabled');
      expect(JSON.stringify(published[0]?.evidence)).toContain('KMS DescribeKey');
    });

    it('cancels on a real CreateGrant record that failed because the key is pending deletion', async () => {
      const { keyArn } = await scheduled();
      const record = {
        ...scheduleRecord(keyArn, randomUUID(), new Date(NOW.getTime() + 60_000)),
        eventName: 'CreateGrant',
        errorCode: 'KMSInvalidStateException',
        errorMessage: `${keyArn} is pending deletion.`,
        requestParameters: { keyId: keyArn, granteePrincipal: 'arn:aws:sts::111122223333:assumed-role/aws:ec2-infrastructure/i-0123', operations: ['Decrypt'] },
        responseElements: null,
      };

      const result = await buildDeletionGuardHandler(deps)(eventBridgeEnvelope(record), context);

      expect(result.decisions).toEqual([expect.objectContaining({ action: 'cancel-deletion', reasons: expect.arrayContaining(['use-while-pending-deletion']) })]);
      expect(fake.state(keyArn)).not.toBe('PendingDeletion');
    });

    it('throws a redelivery back while the first delivery still holds the claim', async () => {
      const { keyArn, eventId } = await scheduled();
      const envelope = eventBridgeEnvelope(scheduleRecord(keyArn, eventId, NOW));
      const decision = { decisionId: eventId, action: 'cancel-deletion' as const, keyArn, reasons: ['recent-use'], evidence: {}, eventId, decidedAt: NOW.toISOString(), accountId: '111122223333', region: 'us-east-1', dryRun: false };
      await deps.decisions.claim(decision);

      await expect(buildDeletionGuardHandler(deps)(envelope, context)).rejects.toBeInstanceOf(DecisionInProgressError);
      expect(fake.callsOf('CancelKeyDeletion')).toHaveLength(0);
    });
  });
});
