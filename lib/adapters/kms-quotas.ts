/**
 * KMS request quotas and the sweeps' share of them. The quotas are the documented defaults (requests per second,
 * per account and Region: https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html). They are
 * shared by every caller in the account and Region (its workloads, AWS services acting for it, the guard's other
 * functions), and a cross-account request counts against the caller's account: the guard acts through a role in
 * the key's own account, so its calls spend that account's quotas.
 */
import type { SweepKind } from '../domain/sweeps/work-item.js';

/**
 * Default request quotas (requests per second) of the operations the guard calls. Where editions of the documented
 * table differ (ListKeys, ListAliases and ListResourceTags were 100, RevokeGrant 15), the lower value is kept: the
 * guard must stay inside whichever applies to an account. GetKeyLastUsage is paced like the 5/s key-management calls.
 */
export const KMS_REQUEST_QUOTAS: Readonly<Record<string, number>> = {
  CancelKeyDeletion: 5,
  DescribeKey: 2000,
  EnableKey: 5,
  GetKeyLastUsage: 5,
  ListAliases: 100,
  ListGrants: 100,
  ListKeys: 100,
  ListResourceTags: 100,
  RevokeGrant: 15,
};

/** The operations each sweep calls (sweepPendingDeletions and expireGrants, through lib/use-cases/sweep-work-item.ts). */
export const SWEEP_OPERATIONS: Readonly<Record<SweepKind, readonly string[]>> = {
  'deletion-sweep': ['ListKeys', 'DescribeKey', 'ListResourceTags', 'ListAliases', 'GetKeyLastUsage', 'ListGrants', 'CancelKeyDeletion', 'EnableKey'],
  'grant-sweep': ['ListKeys', 'ListAliases', 'ListGrants', 'DescribeKey', 'ListResourceTags', 'RevokeGrant'],
};

/** The sweeps' share of each quota unless configured (KMS_GUARD_SWEEP_KMS_BUDGET_PERCENT). */
export const DEFAULT_SWEEP_BUDGET_PERCENT = 20;

/**
 * Requests per second `kind` may send per account and Region: `budgetPercent` of each quota, split evenly between
 * the sweeps that call the operation, because the two run in their own queues and may work on the same account at
 * once (each queue runs one work item per account and Region at a time).
 */
export const sweepRates = (kind: SweepKind, budgetPercent: number = DEFAULT_SWEEP_BUDGET_PERCENT): Record<string, number> => {
  if (!(budgetPercent > 0 && budgetPercent <= 100)) throw new RangeError(`the sweeps' KMS budget must be a percentage from 1 to 100, got ${budgetPercent}`);
  const rates: Record<string, number> = {};
  for (const operation of SWEEP_OPERATIONS[kind]) {
    const quota = KMS_REQUEST_QUOTAS[operation];
    if (quota === undefined) throw new RangeError(`no documented KMS quota for ${operation}`);
    const sharers = Object.values(SWEEP_OPERATIONS).filter((operations) => operations.includes(operation)).length;
    rates[operation] = (quota * budgetPercent) / 100 / sharers;
  }
  return rates;
};
