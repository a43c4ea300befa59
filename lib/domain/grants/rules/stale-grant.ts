/**
 * stale-grant: older than the maximum age (the policy's, or the key's tag) and with no probable use in the
 * policy's recent-use window.
 */
import type { GuardPolicy } from '../../guard-policy.js';
import type { GrantRecord, KeyUsageSummary } from '../../model.js';
import type { GrantMaxAge } from '../grant-max-age.js';
import { findProbableUse } from '../probable-use.js';
import { DAY_MS, type RuleResult } from './rule-result.js';

export const STALE_GRANT = 'stale-grant';

export interface StaleGrantFacts {
  readonly maxAge: GrantMaxAge;
  readonly usage: Pick<KeyUsageSummary, 'callers' | 'lastUsedByOperation'>;
  readonly policy: Pick<GuardPolicy, 'grantRecentUseDays'>;
}

export const staleGrant = (grant: GrantRecord, facts: StaleGrantFacts, now: Date): RuleResult => {
  const createdMs = Date.parse(grant.createdAt);
  // Without a creation time the age is unknown: never stale.
  if (Number.isNaN(createdMs)) return { status: 'NOT_APPLICABLE' };
  const ageMs = now.getTime() - createdMs;
  const since = new Date(now.getTime() - facts.policy.grantRecentUseDays * DAY_MS).toISOString();
  const lastProbableUse = findProbableUse(grant, facts.usage, since) ?? null;
  const evidence = {
    ageDays: Math.floor(ageMs / DAY_MS),
    maxAgeDays: facts.maxAge.days,
    maxAgeSource: facts.maxAge.source,
    ...(facts.maxAge.ignoredTagValue === undefined ? {} : { ignoredMaxAgeTagValue: facts.maxAge.ignoredTagValue }),
    recentUseDays: facts.policy.grantRecentUseDays,
    probableUseSince: since,
    lastProbableUse,
  };
  const stale = ageMs > facts.maxAge.days * DAY_MS && lastProbableUse === null;
  return stale ? { status: 'NON_COMPLIANT', reason: STALE_GRANT, evidence } : { status: 'COMPLIANT', evidence };
};
