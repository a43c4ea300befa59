/** The hourly sweep against DynamoDB Local and the local KMS endpoint. */
import { randomUUID } from 'node:crypto';
import { ScheduleKeyDeletionCommand, type KMSClient } from '@aws-sdk/client-kms';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../lib/config.js';
import type { Decision } from '../../lib/domain/model.js';
import { guardDeletion } from '../../lib/use-cases/guard-deletion.js';
import { EvidenceIncompleteError, SweepFailedError, sweepPendingDeletions, type SweepDeps } from '../../lib/use-cases/sweep-pending-deletions.js';
import { daysBefore, kmsEvent, scheduleEvent } from '../domain/deletion/kms-events.js';
import type { FakeKms } from '../support/fake-kms-server.js';
import { startGuardWorld, type GuardWorld } from '../support/guard-world.js';

const START = new Date('2026-06-01T12:00:00.000Z');
const HOUR_MS = 3_600_000;

describe('sweepPendingDeletions', () => {
  let world: GuardWorld;
  let fake: FakeKms;
  let kms: KMSClient;
  let now: Date;
  let production: SweepDeps;
  /** As replay runs it: the store only, dry-run. */
  let storeOnly: SweepDeps;
  let published: Decision[];

  beforeEach(async () => {
    now = START;
    world = await startGuardWorld({ now: () => now });
    ({ fake, kms, published } = world);
    const { usage, grants, decisions, publisher, clock, keyDirectoryFor, keyDirectories } = world;
    const stores = { usage, grants, decisions, publisher, clock, policy: DEFAULT_POLICY };
    production = { ...stores, mode: 'enforce', keyDirectoryFor, keyDirectories };
    storeOnly = { ...stores, mode: 'dry-run' };
  });

  afterEach(() => world.close());

  /** A key scheduled in KMS only: EventBridge never delivered the event. KMS saw a Decrypt 10 days ago. */
  const scheduledBehindTheGuardsBack = async (): Promise<string> => {
    const keyArn = fake.createKey({ creationDate: daysBefore(START, 300) });
    fake.setLastUsage(keyArn, { operation: 'Decrypt', timestamp: daysBefore(START, 10) }, daysBefore(START, 300));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
    return keyArn;
  };

  /** A key the store watched for 30 days, scheduled a day ago and judged then (alert: too little history). */
  const scheduledAndJudged = async (windowDays = 7): Promise<{ keyArn: string; scheduleId: string }> => {
    const keyArn = fake.createKey();
    await storeOnly.usage.record([kmsEvent('CreateKey', keyArn, daysBefore(START, 30))]);
    const schedule = scheduleEvent(keyArn, randomUUID(), daysBefore(START, 1), { windowDays });
    await storeOnly.usage.record([schedule]);
    await guardDeletion(storeOnly, schedule);
    published.length = 0;
    return { keyArn, scheduleId: `${schedule.eventId}#dry-run` };
  };

  it('finds a deletion only KMS knows of and cancels it, leaving the key Disabled when its prior state is unknown', async () => {
    const keyArn = await scheduledBehindTheGuardsBack();

    const decisions = await sweepPendingDeletions(production);

    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({
      decisionId: `sweep#${keyArn}#2026-06-08T12:00:00.000Z#cancel-deletion`,
      eventId: `sweep:${keyArn}:2026-06-01T12`,
      action: 'cancel-deletion',
      reasons: ['recent-use', 'prior-state-unknown'],
      reEnable: false,
      outcome: [{ call: 'CancelKeyDeletion', result: 'ok' }],
    });
    expect(fake.state(keyArn)).toBe('Disabled');
  });

  it('costs one DescribeKey per key that is not pending deletion', async () => {
    for (let index = 0; index < 5; index += 1) fake.createKey();
    const pendingKey = await scheduledBehindTheGuardsBack();

    await sweepPendingDeletions(production);

    expect(fake.callsOf('DescribeKey')).toHaveLength(6 + 1);
    for (const operation of ['ListResourceTags', 'ListAliases', 'GetKeyLastUsage']) {
      expect(fake.callsOf(operation).map((call) => call.body.KeyId), operation).toEqual([pendingKey]);
    }
  });

  it('does not repeat the verdict the guard gave at scheduling, but reminds of the date', async () => {
    const { keyArn } = await scheduledAndJudged();

    const first = await sweepPendingDeletions(storeOnly);
    now = new Date(START.getTime() + HOUR_MS);
    const second = await sweepPendingDeletions(storeOnly);

    expect(first).toEqual([
      expect.objectContaining({
        decisionId: `reminder#${keyArn}#2026-06-07T12:00:00.000Z#7#dry-run`,
        action: 'alert',
        reasons: ['deletion-reminder-7d'],
        evidence: expect.objectContaining({ daysLeft: 6, verdict: 'alert', verdictReasons: ['insufficient-history'] }),
      }),
    ]);
    expect(second).toEqual([]);
  });

  it('sends the nearest reminder once, then the next threshold when its day comes', async () => {
    const { keyArn } = await scheduledAndJudged(7);
    await sweepPendingDeletions(storeOnly);

    now = new Date('2026-06-07T00:00:00.000Z');
    const lastDay = await sweepPendingDeletions(storeOnly);
    const again = await sweepPendingDeletions(storeOnly);

    expect(lastDay.map((decision) => decision.decisionId)).toEqual([`reminder#${keyArn}#2026-06-07T12:00:00.000Z#1#dry-run`]);
    expect(again).toEqual([]);
    expect(published.map((decision) => decision.reasons[0])).toEqual(['deletion-reminder-7d', 'deletion-reminder-1d']);
  });

  it('leaves alone a key whose deletion date has passed', async () => {
    const { keyArn } = await scheduledAndJudged(7);
    // New evidence that would change the verdict, were the key still there.
    await storeOnly.usage.record([kmsEvent('Decrypt', keyArn, daysBefore(START, 2))]);

    now = new Date('2026-06-07T12:00:00.000Z');

    expect(await sweepPendingDeletions(storeOnly)).toEqual([]);
  });

  it('decides again when the evidence changed since the scheduling', async () => {
    const { keyArn, scheduleId } = await scheduledAndJudged();
    await storeOnly.usage.record([kmsEvent('Decrypt', keyArn, daysBefore(START, 2))]);

    const decisions = await sweepPendingDeletions(storeOnly);

    const verdict = decisions.find((decision) => decision.action === 'cancel-deletion');
    expect(verdict).toMatchObject({ reasons: ['recent-use'], reEnable: true, dryRun: true });
    expect(verdict?.decisionId).toBe(`sweep#${keyArn}#${new Date(START.getTime() - 86_400_000).toISOString()}#cancel-deletion#dry-run`);
    expect((await storeOnly.decisions.get(scheduleId))?.action).toBe('alert');
  });

  it('skips a key the store believes pending when KMS says it is not', async () => {
    const { keyArn } = await scheduledAndJudged();
    // The fake key was never scheduled in KMS: it is Enabled there.

    const decisions = await sweepPendingDeletions(production);

    expect(decisions).toEqual([]);
    expect(fake.state(keyArn)).toBe('Enabled');
  });

  it('sweeps the other keys when one cannot be cancelled, then fails naming it', async () => {
    const failing = await scheduledBehindTheGuardsBack();
    const other = await scheduledBehindTheGuardsBack();
    fake.failNext('CancelKeyDeletion', 3, { status: 500, type: 'KMSInternalException' });

    const sweep = sweepPendingDeletions(production);

    await expect(sweep).rejects.toBeInstanceOf(SweepFailedError);
    await expect(sweep).rejects.toMatchObject({ subjects: [failing] });
    expect(fake.state(failing)).toBe('PendingDeletion');
    expect(fake.state(other)).toBe('Disabled');
    expect(published.map((decision) => [decision.keyArn, decision.action])).toEqual([
      [failing, 'cancel-deletion'],
      [failing, 'alert'],
      [other, 'cancel-deletion'],
    ]);
  });

  describe('after dry-run, crashes and outages', () => {
    /** A key used 10 days ago and Enabled, scheduled in KMS and recorded by the tracker, judged by the guard in `mode`. */
    const judgedIn = async (mode: 'dry-run' | 'enforce') => {
      const keyArn = fake.createKey({ creationDate: daysBefore(START, 300) });
      await production.usage.record([kmsEvent('CreateKey', keyArn, daysBefore(START, 300)), kmsEvent('Decrypt', keyArn, daysBefore(START, 10))]);
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
      const schedule = scheduleEvent(keyArn, randomUUID(), START);
      await production.usage.record([schedule]);
      return { keyArn, schedule, decisions: await guardDeletion({ ...production, mode }, schedule) };
    };

    it('cancels at the first enforce sweep a deletion that was only decided in dry-run mode', async () => {
      const { keyArn, decisions } = await judgedIn('dry-run');
      expect(decisions).toMatchObject([{ action: 'cancel-deletion', dryRun: true }]);
      expect(fake.state(keyArn)).toBe('PendingDeletion');

      now = new Date(START.getTime() + HOUR_MS);
      const swept = await sweepPendingDeletions(production);

      expect(swept).toMatchObject([{ action: 'cancel-deletion', reasons: ['recent-use'], dryRun: false, reEnable: true }]);
      expect(swept[0]?.outcome).toEqual([{ call: 'CancelKeyDeletion', result: 'ok' }, { call: 'EnableKey', result: 'ok' }]);
      expect(fake.state(keyArn)).toBe('Enabled');
    });

    it('repeats nothing the guard did in enforce mode', async () => {
      const { keyArn } = await judgedIn('enforce');
      expect(fake.state(keyArn)).toBe('Enabled');
      published.length = 0;

      now = new Date(START.getTime() + HOUR_MS);

      expect(await sweepPendingDeletions(production)).toEqual([]);
      expect(published).toEqual([]);
    });

    it('acts on a scheduling whose decision was claimed but never completed (a crash)', async () => {
      const keyArn = fake.createKey({ creationDate: daysBefore(START, 300) });
      await production.usage.record([kmsEvent('CreateKey', keyArn, daysBefore(START, 300)), kmsEvent('Decrypt', keyArn, daysBefore(START, 10))]);
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
      const schedule = scheduleEvent(keyArn, randomUUID(), START);
      await production.usage.record([schedule]);
      await production.decisions.claim({
        decisionId: schedule.eventId, action: 'cancel-deletion', keyArn, reasons: ['recent-use'], evidence: {}, eventId: schedule.eventId,
        decidedAt: START.toISOString(), accountId: '111122223333', region: 'us-east-1', reEnable: true, dryRun: false,
      });

      now = new Date(START.getTime() + HOUR_MS);
      const swept = await sweepPendingDeletions(production);

      expect(swept).toMatchObject([{ action: 'cancel-deletion', decisionId: expect.stringMatching(/^sweep#/) }]);
      expect(fake.state(keyArn)).toBe('Enabled');
    });

    it('fails closed on a pending key the guard never judged and whose evidence it cannot read', async () => {
      const keyArn = await scheduledBehindTheGuardsBack();
      fake.failNext('ListGrants', Infinity, { status: 400, type: 'AccessDeniedException' });

      const swept = await sweepPendingDeletions(production);

      expect(swept).toMatchObject([{ action: 'cancel-deletion', reasons: ['evidence-unavailable'], reEnable: false }]);
      expect(fake.state(keyArn)).toBe('Disabled');
    });

    it('keeps the earlier judgement of a key whose evidence it cannot read now, and fails the run naming the key', async () => {
      const { keyArn } = await judgedIn('dry-run');
      fake.failNext('ListGrants', Infinity, { status: 400, type: 'AccessDeniedException' });
      published.length = 0;

      const sweep = sweepPendingDeletions({ ...production, mode: 'dry-run' });

      await expect(sweep).rejects.toMatchObject({ subjects: [keyArn], cause: expect.any(EvidenceIncompleteError) });
      expect(published).toEqual([]);
    });

    it('does not let one key KMS will not describe hide the other keys of its account', async () => {
      const denied = await scheduledBehindTheGuardsBack();
      const other = await scheduledBehindTheGuardsBack();
      // AccessDenied is not retried: the one fault hits the first DescribeKey, the denied key's.
      fake.failNext('DescribeKey', 1, { status: 400, type: 'AccessDeniedException', message: 'not authorized' });

      const sweep = sweepPendingDeletions(production);

      await expect(sweep).rejects.toMatchObject({ subjects: [denied] });
      expect(fake.state(other)).toBe('Disabled');
    });

    it('fails closed on a key the store holds as pending when KMS will not describe it', async () => {
      const keyArn = fake.createKey({ creationDate: daysBefore(START, 300) });
      await production.usage.record([kmsEvent('CreateKey', keyArn, daysBefore(START, 300))]);
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
      await production.usage.record([scheduleEvent(keyArn, randomUUID(), START)]);
      fake.failNext('DescribeKey', Infinity, { status: 400, type: 'AccessDeniedException', message: 'not authorized' });

      const swept = await sweepPendingDeletions(production);

      expect(swept).toMatchObject([{ keyArn, action: 'cancel-deletion', reasons: ['evidence-unavailable'], reEnable: false }]);
      expect(JSON.stringify(swept[0]?.evidence)).toContain('KMS DescribeKey');
      expect(fake.state(keyArn)).toBe('Disabled');
    });
  });
});
