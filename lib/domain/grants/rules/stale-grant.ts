/**
 * stale-grant: older than the maximum age (the policy's, or the key's tag) and with no probable use in the
 * policy's recent-use window. A grant allowing an operation no CloudTrail record of the key can show used (one
 * KMS added after this code, or none listed at all) is never stale, nor is one whose window the guard did not
 * watch throughout: the evidence cannot tell.
 */
import type { GuardPolicy } from '../../guard-policy.js';
import type { GrantRecord } from '../../model.js';
import type { Coverage } from '../../ports.js';
import type { GrantMaxAge } from '../grant-max-age.js';
import { eventNamesFor, untrackedOperations } from '../grant-operations.js';
import { findProbableUse, type UsageEvidence } from '../probable-use.js';
import { watchedThroughout } from '../watched-window.js';
import { DAY_MS, type RuleResult } from './rule-result.js';

export const STALE_GRANT = 'stale-grant';

export interface StaleGrantFacts {
  readonly maxAge: GrantMaxAge;
  readonly usage: UsageEvidence;
  readonly policy: Pick<GuardPolicy, 'grantRecentUseDays'>;
  /**
   * What the guard watched in the key's account and Region. Present (even as `{ coverage: undefined }`): the window
   * must have been watched throughout; absent: not checked (replay, whose logs are all there is).
   */
  readonly watch?: { readonly coverage: Coverage | undefined; readonly where: string };
}

export const staleGrant = (grant: GrantRecord, facts: StaleGrantFacts, now: Date): RuleResult => {
  const createdMs = Date.parse(grant.createdAt);
  // Without a creation time the age is unknown: never stale.
  if (Number.isNaN(createdMs)) return { status: 'NOT_APPLICABLE' };
  const ageMs = now.getTime() - createdMs;
  const since = new Date(now.getTime() - facts.policy.grantRecentUseDays * DAY_MS).toISOString();
  const untracked = grant.operations.length === 0 ? ['(no operations listed)'] : untrackedOperations(grant.operations);
  const lastProbableUse = findProbableUse(grant, facts.usage, since) ?? null;
  const lastKnownUse = lastProbableUse ?? findProbableUse(grant, facts.usage) ?? null;
  const watch = facts.watch === undefined ? { watched: true as const } : watchedThroughout(facts.watch.coverage, since, now, facts.watch.where);
  const evidence = {
    ageDays: Math.floor(ageMs / DAY_MS),
    maxAgeDays: facts.maxAge.days,
    maxAgeSource: facts.maxAge.source,
    ...(facts.maxAge.ignoredTagValue === undefined ? {} : { ignoredMaxAgeTagValue: facts.maxAge.ignoredTagValue }),
    recentUseDays: facts.policy.grantRecentUseDays,
    probableUseSince: since,
    lookedFor: eventNamesFor(grant.operations),
    lastProbableUse,
    lastKnownUse,
    ...(untracked.length === 0 ? {} : { untrackedOperations: untracked }),
    ...(watch.watched ? {} : { notWatched: watch.why }),
  };
  const stale = untracked.length === 0 && watch.watched && ageMs > facts.maxAge.days * DAY_MS && lastProbableUse === null;
  return stale ? { status: 'NON_COMPLIANT', reason: STALE_GRANT, evidence } : { status: 'COMPLIANT', evidence };
};
