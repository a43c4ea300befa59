/**
 * The deletion guard on its worst day, against DynamoDB Local and the local KMS endpoint: evidence it cannot read,
 * a store that refuses, a crash between claim and act, people who acted first, and histories that arrive late.
 * It cancels when it cannot decide, never re-enables what a person left Disabled, and always says so.
 */
import { randomUUID } from 'node:crypto';
import { ScheduleKeyDeletionCommand, type KMSClient } from '@aws-sdk/client-kms';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../lib/config.js';
import { CLAIM_LEASE_MS } from '../../lib/domain/decision-claim.js';
import type { Decision } from '../../lib/domain/model.js';
import { DECISION_BUDGET_BYTES, jsonBytes } from '../../lib/domain/size-budget.js';
import { DecisionInProgressError } from '../../lib/use-cases/enact-decision.js';
import { guardDeletion, type DeletionDeps } from '../../lib/use-cases/guard-deletion.js';
import { daysBefore, kmsEvent, pendingDeletionFailure, scheduleEvent } from '../domain/deletion/kms-events.js';
import type { FakeKms } from '../support/fake-kms-server.js';
import { startGuardWorld, type GuardWorld } from '../support/guard-world.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');

describe('the deletion guard, failing closed', () => {
  let world: GuardWorld;
  let fake: FakeKms;
  let kms: KMSClient;
  let deps: DeletionDeps;
  let published: Decision[];
  let now: Date;

  beforeEach(async () => {
    now = NOW;
    world = await startGuardWorld({ now: () => now });
    ({ fake, kms, published } = world);
    deps = { ...world.ports, policy: DEFAULT_POLICY, mode: 'enforce' };
  });

  afterEach(() => world.close());

  /** A key used 20 days ago and Enabled, scheduled at NOW; the usage tracker has recorded the scheduling unless told. */
  const scheduledKey = async (options: { recordSchedule?: boolean } = {}) => {
    const keyArn = fake.createKey({ creationDate: daysBefore(NOW, 200) });
    await deps.usage.record([kmsEvent('CreateKey', keyArn, daysBefore(NOW, 200)), kmsEvent('Decrypt', keyArn, daysBefore(NOW, 20))]);
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
    const event = scheduleEvent(keyArn, randomUUID(), NOW);
    if (options.recordSchedule !== false) await deps.usage.record([event]);
    return { keyArn, event };
  };

  describe('when it cannot read its evidence', () => {
    it('cancels, leaves the key Disabled and names the read that failed (AccessDenied after a hostile key policy)', async () => {
      const { keyArn, event } = await scheduledKey();
      fake.failNext('DescribeKey', Infinity, { status: 400, type: 'AccessDeniedException', message: 'not authorized to perform kms:DescribeKey' });

      const [decision] = await guardDeletion(deps, event);

      expect(decision).toMatchObject({ action: 'cancel-deletion', reasons: ['evidence-unavailable'], reEnable: false, outcome: [{ call: 'CancelKeyDeletion', result: 'ok' }] });
      expect(decision?.evidence).toMatchObject({
        reasons: { 'evidence-unavailable': { gaps: [{ source: 'KMS DescribeKey', error: expect.stringContaining('AccessDeniedException') }] } },
      });
      expect(fake.state(keyArn)).toBe('Disabled');
      expect(fake.callsOf('EnableKey')).toHaveLength(0);
      expect(published.map((made) => made.decisionId)).toEqual([event.eventId]);
    });

    it('cancels when KMS keeps throttling ListGrants past the SDK retries', async () => {
      const { keyArn, event } = await scheduledKey();
      fake.failNext('ListGrants', Infinity, { status: 400, type: 'ThrottlingException' });

      const [decision] = await guardDeletion(deps, event);

      expect(decision?.reasons).toEqual(['evidence-unavailable']);
      expect(JSON.stringify(decision?.evidence)).toContain('KMS ListGrants');
      expect(fake.state(keyArn)).toBe('Disabled');
    });

    it('cancels when the store fails to read the usage', async () => {
      const { keyArn, event } = await scheduledKey();
      const usage = Object.assign(Object.create(world.usage) as typeof world.usage, {
        getUsage: async () => {
          throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' });
        },
      });

      const [decision] = await guardDeletion({ ...deps, usage }, event);

      expect(decision).toMatchObject({ action: 'cancel-deletion', reasons: ['evidence-unavailable'], reEnable: false });
      expect(JSON.stringify(decision?.evidence)).toContain('store usage');
      expect(fake.state(keyArn)).toBe('Disabled');
    });

    it('says in dry-run mode that it would cancel, and changes nothing', async () => {
      const { keyArn, event } = await scheduledKey();
      fake.failNext('DescribeKey', Infinity, { status: 400, type: 'AccessDeniedException' });

      const [decision] = await guardDeletion({ ...deps, mode: 'dry-run' }, event);

      expect(decision).toMatchObject({ decisionId: `${event.eventId}#dry-run`, action: 'cancel-deletion', reasons: ['evidence-unavailable'], dryRun: true });
      expect(fake.state(keyArn)).toBe('PendingDeletion');
    });
  });

  it('cancels without a record when the decision store refuses the claim, publishes that, and throws for a retry that re-enables nothing', async () => {
    const { keyArn, event } = await scheduledKey();
    const storeDown = Object.assign(new Error('Internal server error'), { name: 'InternalServerError' });
    const decisions = Object.assign(Object.create(world.decisions) as typeof world.decisions, {
      claim: async () => {
        throw storeDown;
      },
    });

    await expect(guardDeletion({ ...deps, decisions }, event)).rejects.toBe(storeDown);

    expect(fake.state(keyArn)).toBe('Disabled');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      action: 'cancel-deletion',
      reasons: ['decision-store-unavailable', 'recent-use'],
      reEnable: false,
      outcome: [{ call: 'CancelKeyDeletion', result: 'ok' }],
      evidence: expect.objectContaining({ storeError: 'InternalServerError: Internal server error' }),
    });

    const [retried] = await guardDeletion(deps, event);

    expect(retried?.outcome).toEqual([
      expect.objectContaining({ call: 'CancelKeyDeletion', result: 'already-done' }),
      { call: 'EnableKey', result: 'skipped', detail: expect.stringContaining('already been cancelled') },
    ]);
    expect(fake.state(keyArn)).toBe('Disabled');
  });

  describe('never undoing what a person chose', () => {
    it('leaves the key Disabled when a person cancelled before a late delivery arrived', async () => {
      const { keyArn, event } = await scheduledKey();
      fake.setState(keyArn, 'Disabled'); // incident response: CancelKeyDeletion, key left Disabled on purpose

      const [decision] = await guardDeletion(deps, event);

      expect(decision).toMatchObject({ action: 'cancel-deletion', reEnable: true });
      expect(decision?.outcome?.map((call) => [call.call, call.result])).toEqual([
        ['CancelKeyDeletion', 'already-done'],
        ['EnableKey', 'skipped'],
      ]);
      expect(fake.callsOf('EnableKey')).toHaveLength(0);
      expect(fake.state(keyArn)).toBe('Disabled');
    });

    it('does not re-enable before the store has recorded the scheduling: a DisableKey just before it may still be in the usage buffer', async () => {
      const { keyArn, event } = await scheduledKey({ recordSchedule: false });

      const [decision] = await guardDeletion(deps, event);

      expect(decision?.outcome).toEqual([
        { call: 'CancelKeyDeletion', result: 'ok' },
        { call: 'EnableKey', result: 'skipped', detail: expect.stringContaining('has not recorded the scheduling') },
      ]);
      expect(fake.state(keyArn)).toBe('Disabled');
    });

    it('waits for the usage pipeline, and then sees the DisableKey that came just before the scheduling', async () => {
      const { keyArn, event } = await scheduledKey({ recordSchedule: false });
      const disable = kmsEvent('DisableKey', keyArn, new Date(NOW.getTime() - 1_000));
      // The tracker's batch lands while the guard is deciding.
      const late = new Promise<void>((resolve) => setTimeout(resolve, 150)).then(() => deps.usage.record([disable, event]));

      const [decision] = await guardDeletion({ ...deps, historySettle: { timeoutMs: 3_000, intervalMs: 50 } }, event);
      await late;

      expect(decision).toMatchObject({ reEnable: true });
      expect(decision?.outcome?.[1]).toEqual({ call: 'EnableKey', result: 'skipped', detail: expect.stringContaining('was Disabled before the scheduling') });
      expect(fake.state(keyArn)).toBe('Disabled');
    });

    it('reports a key whose imported material expired as PendingImport, not as a failed cancel', async () => {
      const { keyArn, event } = await scheduledKey();
      fake.failNext('EnableKey', 1, { status: 400, type: 'KMSInvalidStateException', message: `${keyArn} is pending import.` });

      const decisions = await guardDeletion(deps, event);

      expect(decisions).toHaveLength(1);
      expect(decisions[0]?.outcome?.[1]).toMatchObject({ call: 'EnableKey', result: 'skipped', detail: expect.stringContaining('PendingImport') });
      expect(published.map((made) => made.reasons[0])).toEqual(['recent-use']);
    });
  });

  describe('catching every workload that fails on a pending key', () => {
    it('cancels on a CreateGrant EC2 made to attach a volume', async () => {
      const { keyArn, event } = await scheduledKey();
      await guardDeletion({ ...deps, mode: 'dry-run' }, event);
      const createGrant = kmsEvent('CreateGrant', keyArn, new Date(NOW.getTime() + 60_000), {
        caller: { principal: 'arn:aws:iam::111122223333:role/ops', principalType: 'AssumedRole', service: 'ec2-frontend-api', invokedBy: 'ec2-frontend-api.amazonaws.com' },
        error: { code: 'KMSInvalidStateException', message: `${keyArn} is pending deletion.` },
      });

      const [decision] = await guardDeletion(deps, createGrant);

      expect(decision).toMatchObject({ action: 'cancel-deletion', reasons: expect.arrayContaining(['use-while-pending-deletion']), keyArn });
      expect(decision?.evidence).toMatchObject({ reasons: { 'use-while-pending-deletion': { operation: 'CreateGrant' } } });
      expect(fake.state(keyArn)).not.toBe('PendingDeletion');
    });

    it('judges a ReEncrypt that failed on its destination against the destination', async () => {
      const source = fake.createKey();
      const { keyArn: destination } = await scheduledKey();
      const reEncrypt = kmsEvent('ReEncrypt', source, new Date(NOW.getTime() + 60_000), {
        keyArns: [source, destination],
        error: { code: 'KMSInvalidStateException', message: `${destination} is pending deletion.` },
      });

      const [decision] = await guardDeletion(deps, reEncrypt);

      expect(decision).toMatchObject({ keyArn: destination, action: 'cancel-deletion' });
      expect(fake.callsOf('CancelKeyDeletion').map((call) => call.body.KeyId)).toEqual([destination]);
      expect(fake.state(source)).toBe('Enabled');
    });
  });

  it('recovers from a crash between claim and act: redeliveries are thrown back until the lease ends, then one cancels', async () => {
    const { keyArn, event } = await scheduledKey();
    let claimed = false;
    // The invocation dies once its claim is written: nothing after it ever runs.
    const crashing = Object.assign(Object.create(world.decisions) as typeof world.decisions, {
      claim: async (decision: Decision) => {
        claimed = await world.decisions.claim(decision);
        return new Promise<boolean>(() => {});
      },
    });
    void guardDeletion({ ...deps, decisions: crashing }, event);
    await expect.poll(() => claimed).toBe(true);

    await expect(guardDeletion(deps, event)).rejects.toBeInstanceOf(DecisionInProgressError);
    expect(fake.state(keyArn)).toBe('PendingDeletion');

    now = new Date(NOW.getTime() + CLAIM_LEASE_MS + 60_000);
    const [decision] = await guardDeletion(deps, event);

    expect(decision).toMatchObject({ decisionId: event.eventId, outcome: [{ call: 'CancelKeyDeletion', result: 'ok' }, { call: 'EnableKey', result: 'ok' }] });
    expect(await guardDeletion(deps, event)).toEqual([]);
    expect(published.map((made) => made.decisionId)).toEqual([event.eventId]);
  });

  it('stores and publishes one decision for a key with 1,200 EBS volume grants, within its size budget', async () => {
    const { keyArn, event } = await scheduledKey();
    for (let index = 0; index < 1_200; index += 1) {
      fake.addGrant(keyArn, {
        granteePrincipal: `arn:aws:sts::111122223333:assumed-role/aws:ec2-infrastructure/i-${String(index).padStart(17, '0')}`,
        retiringPrincipal: 'ec2.us-east-1.amazonaws.com',
        operations: ['Decrypt'],
        constraints: { EncryptionContextSubset: { 'aws:ebs:id': `vol-${String(index).padStart(17, '0')}` } },
      });
    }

    const [decision] = await guardDeletion(deps, event);

    expect(decision).toMatchObject({ action: 'cancel-deletion', reasons: ['aws-service-grant', 'recent-use'] });
    expect(decision?.evidence).toMatchObject({ reasons: { 'aws-service-grant': { serviceGrants: 1_200, grantsOmitted: 1_180 } } });
    expect(jsonBytes(published[0])).toBeLessThan(DECISION_BUDGET_BYTES);
    expect((await deps.decisions.get(event.eventId))?.outcome).toHaveLength(2);
  });

  it('ignores a late pending-deletion failure once a person has cancelled', async () => {
    const { keyArn } = await scheduledKey();
    fake.setState(keyArn, 'Disabled');

    expect(await guardDeletion(deps, pendingDeletionFailure(keyArn, new Date(NOW.getTime() + 60_000)))).toEqual([]);
    expect(fake.callsOf('CancelKeyDeletion')).toHaveLength(0);
  });
});
