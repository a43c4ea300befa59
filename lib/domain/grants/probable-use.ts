/**
 * CloudTrail does not say which grant a call used. A grant was "probably used" when a caller that may be
 * its grantee made one of the grant's operations on the key within the window. Where the evidence cannot
 * tell (an unreadable principal, an operation the usage record does not break down), it counts as used:
 * keeping a grant is the safe side. Encryption-context constraints are never visible in the usage record,
 * so they never rule a use out.
 */
import type { GrantRecord, KeyUsageSummary } from '../model.js';
import { USAGE_OPERATIONS } from '../operations.js';
import { matchGrantee } from './principal.js';

export interface ProbableUse {
  /** The caller's latest use (the grant's operation was used at or before it, within the window). */
  readonly at: string;
  readonly principal: string;
  readonly service?: string;
  readonly operations: readonly string[];
  /** "grantee" when the caller is the grantee; "unsure" when it cannot be told apart. */
  readonly match: 'grantee' | 'unsure';
}

const isAtOrAfter = (at: string | undefined, since: number): boolean => at !== undefined && Date.parse(at) >= since;

/** The latest probable use of the grant at or after `since` (ISO-8601), or undefined when there is none. */
export const findProbableUse = (
  grant: Pick<GrantRecord, 'granteePrincipal' | 'operations'>,
  usage: Pick<KeyUsageSummary, 'callers' | 'lastUsedByOperation'>,
  since: string,
): ProbableUse | undefined => {
  const sinceMs = Date.parse(since);
  // Only usage operations are recorded per caller; DescribeKey, RetireGrant and the like leave no use to find.
  const grantOperations = grant.operations.filter((operation) => USAGE_OPERATIONS.has(operation));
  let latest: ProbableUse | undefined;
  for (const caller of usage.callers) {
    if (!isAtOrAfter(caller.lastAt, sinceMs)) continue;
    const match = matchGrantee(grant.granteePrincipal, caller.principal);
    if (match === 'no') continue;
    // A caller listed without its operations cannot be ruled out.
    const callerOperations = caller.operations.length === 0 ? grantOperations : caller.operations;
    const operations = callerOperations.filter(
      (operation) =>
        grantOperations.includes(operation) &&
        // The key's own last use of this operation bounds the caller's: before the window means not in it.
        (usage.lastUsedByOperation[operation] === undefined || isAtOrAfter(usage.lastUsedByOperation[operation], sinceMs)),
    );
    if (operations.length === 0) continue;
    if (latest !== undefined && Date.parse(latest.at) >= Date.parse(caller.lastAt)) continue;
    latest = {
      at: caller.lastAt,
      principal: caller.principal,
      ...(caller.service === undefined ? {} : { service: caller.service }),
      operations,
      match: match === 'yes' ? 'grantee' : 'unsure',
    };
  }
  return latest;
};
