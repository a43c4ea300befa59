import { describe, expect, it } from 'vitest';
import type { AccountDirectory } from '../../lib/domain/ports.js';
import { discoveryHourOf } from '../../lib/domain/sweeps/plan-sweeps.js';
import { deduplicationIdOf, type SweepWorkItem } from '../../lib/domain/sweeps/work-item.js';
import { planSweepRun, SweepPlanIncompleteError } from '../../lib/use-cases/plan-sweep-run.js';
import { LocalSweepQueue } from '../support/local-sweep-queue.js';

const NOW = new Date('2026-06-01T12:34:56.000Z');
const GUARD = '111122223333';
const clock = { now: () => NOW };

const collecting = (): { queue: { enqueue(items: readonly SweepWorkItem[]): Promise<void> }; items: SweepWorkItem[] } => {
  const items: SweepWorkItem[] = [];
  return { items, queue: { enqueue: async (batch) => void items.push(...batch) } };
};

describe('the sweep planner', () => {
  it('queues a deletion and a grant sweep for the guard account and each listed member, once each', async () => {
    const { queue, items } = collecting();
    const organization: AccountDirectory = { listActiveAccounts: async () => { throw new Error('must not be asked'); } };
    await planSweepRun({ guardAccountId: GUARD, region: 'eu-west-1', memberAccountIds: ['222222222222', GUARD], organization, queue, clock });
    expect(items.map((item) => `${item.kind} ${item.accountId}`).sort()).toEqual([
      `deletion-sweep ${GUARD}`,
      'deletion-sweep 222222222222',
      `grant-sweep ${GUARD}`,
      'grant-sweep 222222222222',
    ]);
    expect(items.every((item) => item.region === 'eu-west-1' && item.part === 0 && item.plannedAt === '2026-06-01T12:00:00.000Z')).toBe(true);
    // Each account lists all its keys for grants at its own hour of the day.
    for (const item of items.filter((candidate) => candidate.kind === 'grant-sweep')) {
      expect(item.scope).toBe(discoveryHourOf(item.accountId, 'eu-west-1') === 12 ? 'all-keys' : 'known-grants');
    }
  });

  it('without a member list, sweeps the organization\'s active accounts', async () => {
    const { queue, items } = collecting();
    const organization: AccountDirectory = { listActiveAccounts: async () => [GUARD, '333333333333', '444444444444'] };
    await planSweepRun({ guardAccountId: GUARD, region: 'us-east-1', memberAccountIds: [], organization, queue, clock });
    expect(new Set(items.map((item) => item.accountId))).toEqual(new Set([GUARD, '333333333333', '444444444444']));
    expect(items).toHaveLength(6);
  });

  it('still sweeps the guard account, then fails, when the organization cannot be listed', async () => {
    const { queue, items } = collecting();
    const organization: AccountDirectory = { listActiveAccounts: async () => { throw new Error('AccessDeniedException'); } };
    await expect(planSweepRun({ guardAccountId: GUARD, region: 'us-east-1', memberAccountIds: [], organization, queue, clock })).rejects.toBeInstanceOf(
      SweepPlanIncompleteError,
    );
    expect(items.map((item) => item.accountId)).toEqual([GUARD, GUARD]);
  });

  it('re-planning the same hour (a Scheduler retry) queues nothing new', async () => {
    const queue = new LocalSweepQueue();
    const deps = { guardAccountId: GUARD, region: 'us-east-1', memberAccountIds: ['222222222222'], queue, clock };
    const first = await planSweepRun(deps);
    await planSweepRun({ ...deps, clock: { now: () => new Date(NOW.getTime() + 20 * 60_000) } });
    expect(queue.depth).toBe(4);
    expect(new Set(first.map(deduplicationIdOf)).size).toBe(4);
  });
});
