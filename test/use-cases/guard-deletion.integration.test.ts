/**
 * The deletion guard end to end: DynamoDB Local for the store and decisions, the local KMS endpoint (real SDK
 * serialisation, errors and retries) for evidence and repairs.
 */
import { randomUUID } from 'node:crypto';
import { ScheduleKeyDeletionCommand, type KMSClient } from '@aws-sdk/client-kms';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../lib/config.js';
import type { Decision } from '../../lib/domain/model.js';
import { DecisionInProgressError } from '../../lib/use-cases/enact-decision.js';
import { DeletionRepairFailedError, guardDeletion, type DeletionDeps } from '../../lib/use-cases/guard-deletion.js';
import { daysBefore, kmsEvent, pendingDeletionFailure, scheduleEvent } from '../domain/deletion/kms-events.js';
import type { FakeKeyOptions, FakeKms } from '../support/fake-kms-server.js';
import { startGuardWorld, type GuardWorld } from '../support/guard-world.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');

describe('guardDeletion against DynamoDB Local and the local KMS endpoint', () => {
  let world: GuardWorld;
  let fake: FakeKms;
  let kms: KMSClient;
  let deps: DeletionDeps;
  let published: Decision[];

  beforeEach(async () => {
    world = await startGuardWorld({ now: () => NOW });
    ({ fake, kms, published } = world);
    deps = { ...world.ports, policy: DEFAULT_POLICY, mode: 'enforce' };
  });

  afterEach(() => world.close());

  /**
   * A key the store has watched for 200 days, used 20 days ago, then scheduled (in KMS too) at NOW. The usage
   * tracker has recorded the scheduling too, unless `trackerLags` (it arrives through the 30 s usage buffer).
   */
  const scheduledKey = async (options: { disabledDaysAgo?: number; key?: FakeKeyOptions; trackerLags?: boolean } = {}) => {
    const keyArn = fake.createKey({ creationDate: daysBefore(NOW, 200), ...options.key });
    const history = [kmsEvent('CreateKey', keyArn, daysBefore(NOW, 200)), kmsEvent('Decrypt', keyArn, daysBefore(NOW, 20))];
    if (options.disabledDaysAgo !== undefined) {
      history.push(kmsEvent('DisableKey', keyArn, daysBefore(NOW, options.disabledDaysAgo)));
      fake.setState(keyArn, 'Disabled');
    }
    await deps.usage.record(history);
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
    const event = scheduleEvent(keyArn, randomUUID(), NOW);
    if (options.trackerLags !== true) await deps.usage.record([event]);
    return { keyArn, event };
  };

  it('cancels the deletion of a recently used key and enables it again', async () => {
    const { keyArn, event } = await scheduledKey();

    const decisions = await guardDeletion(deps, event);

    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({
      decisionId: event.eventId,
      action: 'cancel-deletion',
      reasons: ['recent-use'],
      reEnable: true,
      actor: 'arn:aws:iam::111122223333:user/alice',
      deletionDate: '2026-06-08T12:00:00.000Z',
      dryRun: false,
      outcome: [
        { call: 'CancelKeyDeletion', result: 'ok' },
        { call: 'EnableKey', result: 'ok' },
      ],
    });
    expect(fake.state(keyArn)).toBe('Enabled');
    expect((await deps.decisions.get(event.eventId))?.outcome).toHaveLength(2);
    expect(published.map((decision) => decision.decisionId)).toEqual([event.eventId]);
  });

  it('leaves a key Disabled when it was disabled before it was scheduled', async () => {
    const { keyArn, event } = await scheduledKey({ disabledDaysAgo: 3 });

    const [decision] = await guardDeletion(deps, event);

    expect(decision).toMatchObject({ action: 'cancel-deletion', reEnable: false, outcome: [{ call: 'CancelKeyDeletion', result: 'ok' }] });
    expect(decision?.evidence).toMatchObject({ priorState: { state: 'Disabled', source: 'history' } });
    expect(fake.state(keyArn)).toBe('Disabled');
    expect(fake.callsOf('EnableKey')).toHaveLength(0);
  });

  it('records an already-cancelled key as already done, not as a failure', async () => {
    const { keyArn, event } = await scheduledKey({ disabledDaysAgo: 3 });
    fake.setState(keyArn, 'Disabled'); // someone cancelled before the guard ran

    const [decision] = await guardDeletion(deps, event);

    expect(decision?.outcome).toEqual([expect.objectContaining({ call: 'CancelKeyDeletion', result: 'already-done' })]);
    expect(published.map((published) => published.action)).toEqual(['cancel-deletion']);
    expect(fake.state(keyArn)).toBe('Disabled');
  });

  it('retries a throttled CancelKeyDeletion and succeeds', async () => {
    const { keyArn, event } = await scheduledKey();
    fake.failNext('CancelKeyDeletion', 2, { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' });

    const [decision] = await guardDeletion(deps, event);

    expect(fake.callsOf('CancelKeyDeletion')).toHaveLength(3);
    expect(decision?.outcome?.[0]).toEqual({ call: 'CancelKeyDeletion', result: 'ok' });
    expect(fake.state(keyArn)).toBe('Enabled');
  });

  it('alerts and throws when the cancel keeps failing, and a redelivery can try again', async () => {
    const { keyArn, event } = await scheduledKey();
    fake.failNext('CancelKeyDeletion', 3, { status: 500, type: 'KMSInternalException', message: 'internal error' });

    await expect(guardDeletion(deps, event)).rejects.toBeInstanceOf(DeletionRepairFailedError);

    const alert = await deps.decisions.get(`${event.eventId}#cancel-failed`);
    expect(alert).toMatchObject({ action: 'alert', reasons: ['cancel-failed', 'recent-use'] });
    expect(published.map((decision) => decision.action)).toEqual(['cancel-deletion', 'alert']);
    expect(published[0]?.outcome).toEqual([
      expect.objectContaining({ call: 'CancelKeyDeletion', result: 'failed' }),
      { call: 'EnableKey', result: 'skipped', detail: 'CancelKeyDeletion failed' },
    ]);
    expect(fake.state(keyArn)).toBe('PendingDeletion');

    const retried = await guardDeletion(deps, event);

    expect(retried[0]?.outcome).toEqual([
      { call: 'CancelKeyDeletion', result: 'ok' },
      { call: 'EnableKey', result: 'ok' },
    ]);
    expect(fake.state(keyArn)).toBe('Enabled');
    expect(published.filter((decision) => decision.action === 'alert')).toHaveLength(1);
  });

  it('cancels once for 10 concurrent deliveries of one ScheduleKeyDeletion; those that find it in progress are retried', async () => {
    const { keyArn, event } = await scheduledKey();

    const results = await Promise.allSettled(Array.from({ length: 10 }, () => guardDeletion(deps, event)));

    const decided = results.flatMap((result) => (result.status === 'fulfilled' ? result.value : []));
    const refused = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    expect(decided).toHaveLength(1);
    expect(refused.every((reason) => reason instanceof DecisionInProgressError)).toBe(true);
    expect(fake.callsOf('CancelKeyDeletion')).toHaveLength(1);
    expect(published).toHaveLength(1);
    expect(fake.state(keyArn)).toBe('Enabled');
  });

  it('changes nothing in dry-run mode: KMS is only read, for evidence', async () => {
    const { keyArn, event } = await scheduledKey();
    const before = fake.calls.length;

    const [decision] = await guardDeletion({ ...deps, mode: 'dry-run' }, event);

    expect(decision).toMatchObject({ action: 'cancel-deletion', dryRun: true });
    expect(decision?.outcome).toBeUndefined();
    const operations = new Set(fake.calls.slice(before).map((call) => call.operation));
    expect([...operations].sort()).toEqual(['DescribeKey', 'GetKeyLastUsage', 'ListAliases', 'ListGrants', 'ListResourceTags']);
    expect(fake.state(keyArn)).toBe('PendingDeletion');
  });

  it('cancels once when workloads keep failing on a key that was allowed a pending deletion', async () => {
    const keyArn = fake.createKey();
    await deps.usage.record([kmsEvent('CreateKey', keyArn, daysBefore(NOW, 30))]);
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
    const schedule = scheduleEvent(keyArn, randomUUID(), daysBefore(NOW, 1));
    await deps.usage.record([schedule]);
    const [first] = await guardDeletion(deps, schedule);
    expect(first).toMatchObject({ action: 'alert', reasons: ['insufficient-history'] });

    const decided = [
      ...(await guardDeletion(deps, pendingDeletionFailure(keyArn, NOW, 'failure-1'))),
      ...(await guardDeletion(deps, pendingDeletionFailure(keyArn, NOW, 'failure-2'))),
    ];

    expect(decided).toHaveLength(1);
    expect(decided[0]).toMatchObject({
      decisionId: `pending-use#${keyArn}#${schedule.eventId}`,
      action: 'cancel-deletion',
      reasons: ['use-while-pending-deletion', 'insufficient-history'],
      reEnable: true,
      eventId: 'failure-1',
    });
    expect(fake.callsOf('CancelKeyDeletion')).toHaveLength(1);
    expect(fake.state(keyArn)).toBe('Enabled');
  });

  it('ignores a late failure on a key that is no longer pending deletion', async () => {
    const { keyArn } = await scheduledKey();
    fake.setState(keyArn, 'Disabled');

    expect(await guardDeletion(deps, pendingDeletionFailure(keyArn, NOW))).toEqual([]);
    expect(fake.callsOf('EnableKey')).toHaveLength(0);
  });
});
