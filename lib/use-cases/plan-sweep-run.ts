/**
 * The hourly planner: which accounts to sweep (the guard's own, the listed members, else the organization's active
 * accounts), then one deletion sweep and one grant sweep per account in the guard's Region, queued for the workers.
 * Fails loudly rather than quietly sweeping less: when the organization cannot be listed, the accounts it knows
 * are still queued and the run then fails.
 */
import type { AccountDirectory, Clock, SweepQueue } from '../domain/ports.js';
import { planSweeps } from '../domain/sweeps/plan-sweeps.js';
import type { SweepWorkItem } from '../domain/sweeps/work-item.js';
import { KmsGuardError } from '../errors.js';

export interface PlanSweepDeps {
  readonly guardAccountId: string;
  readonly region: string;
  /** Listed member accounts; when empty and `organization` is given, the organization's accounts are swept. */
  readonly memberAccountIds: readonly string[];
  readonly organization?: AccountDirectory;
  readonly queue: SweepQueue;
  readonly clock: Clock;
}

export class SweepPlanIncompleteError extends KmsGuardError {}

export const planSweepRun = async (deps: PlanSweepDeps): Promise<SweepWorkItem[]> => {
  let listingError: unknown;
  let members: readonly string[] = deps.memberAccountIds;
  if (members.length === 0 && deps.organization !== undefined) {
    members = await deps.organization.listActiveAccounts().catch((error: unknown) => {
      listingError = error;
      return [];
    });
  }
  const items = planSweeps({ accountIds: [deps.guardAccountId, ...members], region: deps.region, now: deps.clock.now() });
  await deps.queue.enqueue(items);
  if (listingError !== undefined) {
    throw new SweepPlanIncompleteError('swept only the guard\'s own account: the organization\'s accounts could not be listed', { cause: listingError });
  }
  return items;
};
