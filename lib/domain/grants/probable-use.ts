/**
 * CloudTrail does not say which grant a call used. A grant was "probably used" when a caller that may be its
 * grantee made, on the key, a call that exercises one of the grant's operations (ReEncrypt for ReEncryptFrom,
 * DescribeKey for DescribeKey…; see grant-operations.ts) within the window. Where the evidence cannot tell (an
 * unreadable principal, a caller known only by its account, a caller listed without its operations) it counts as
 * used: keeping a grant is the safe side. Encryption-context constraints are never visible in the usage record,
 * so they never rule a use out.
 */
import type { GrantRecord, KeyUsageSummary } from '../model.js';
import { traceOf } from './grant-operations.js';
import { matchGrantee } from './principal.js';

export interface ProbableUse {
  /** The caller's latest such call (for a use: its latest use, the grant's operation at or before it). */
  readonly at: string;
  readonly principal: string;
  readonly service?: string;
  /** The CloudTrail operations that could have used the grant (ReEncrypt, DescribeKey…). */
  readonly operations: readonly string[];
  /** "grantee" when the caller is the grantee; "unsure" when it cannot be told apart. */
  readonly match: 'grantee' | 'unsure';
}

export type UsageEvidence = Pick<KeyUsageSummary, 'callers' | 'lastUsedByOperation' | 'nonUseCalls'>;

const isAtOrAfter = (at: string | undefined, since: number): boolean => at !== undefined && Date.parse(at) >= since;

/**
 * The latest probable use of the grant at or after `since` (ISO-8601), or undefined when there is none.
 * Without `since`, the latest the usage record holds at all (for the evidence: "its last was …").
 */
export const findProbableUse = (
  grant: Pick<GrantRecord, 'granteePrincipal' | 'operations'>,
  usage: UsageEvidence,
  since?: string,
): ProbableUse | undefined => {
  const sinceMs = since === undefined ? Number.NEGATIVE_INFINITY : Date.parse(since);
  const traces = grant.operations.flatMap((operation) => traceOf(operation) ?? []);
  const useNames = new Set(traces.filter((trace) => trace.recordedAs === 'use').map((trace) => trace.eventName));
  const nonUseNames = new Set(traces.filter((trace) => trace.recordedAs === 'non-use').map((trace) => trace.eventName));
  const candidates: ProbableUse[] = [];

  for (const caller of usage.callers) {
    if (useNames.size === 0 || !isAtOrAfter(caller.lastAt, sinceMs)) continue;
    const match = matchGrantee(grant.granteePrincipal, caller.principal);
    if (match === 'no') continue;
    // A caller listed without its operations cannot be ruled out.
    const callerOperations = caller.operations.length === 0 ? [...useNames] : caller.operations;
    const operations = callerOperations.filter(
      (operation) =>
        useNames.has(operation) &&
        // The key's own last use of this operation bounds the caller's: before the window means not in it.
        (usage.lastUsedByOperation[operation] === undefined || isAtOrAfter(usage.lastUsedByOperation[operation], sinceMs)),
    );
    if (operations.length === 0) continue;
    candidates.push(useOf(caller, operations, match));
  }

  for (const call of usage.nonUseCalls ?? []) {
    if (!nonUseNames.has(call.operation) || !isAtOrAfter(call.lastAt, sinceMs)) continue;
    const match = matchGrantee(grant.granteePrincipal, call.principal);
    if (match === 'no') continue;
    candidates.push(useOf(call, [call.operation], match));
  }

  return candidates.reduce<ProbableUse | undefined>((latest, candidate) => (latest === undefined || candidate.at > latest.at ? candidate : latest), undefined);
};

const useOf = (
  caller: { readonly principal: string; readonly service?: string; readonly lastAt: string },
  operations: readonly string[],
  match: 'yes' | 'unsure',
): ProbableUse => ({
  at: caller.lastAt,
  principal: caller.principal,
  ...(caller.service === undefined ? {} : { service: caller.service }),
  operations,
  match: match === 'yes' ? 'grantee' : 'unsure',
});
