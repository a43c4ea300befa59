/** grant-ttl-expired: the grant's Name says `kms-guard:ttl:<N>d` and N days have passed since it was created. */
import type { GrantRecord } from '../../model.js';
import { grantTtl } from '../grant-ttl.js';
import type { RuleResult } from './rule-result.js';

export const GRANT_TTL_EXPIRED = 'grant-ttl-expired';

export const grantTtlExpired = (grant: Pick<GrantRecord, 'name' | 'createdAt'>, now: Date): RuleResult => {
  const ttl = grantTtl(grant);
  if (ttl === undefined) return { status: 'NOT_APPLICABLE' };
  const evidence = { ttlDays: ttl.ttlDays, ttlExpiresAt: ttl.expiresAt };
  return now.getTime() >= Date.parse(ttl.expiresAt)
    ? { status: 'NON_COMPLIANT', reason: GRANT_TTL_EXPIRED, evidence }
    : { status: 'COMPLIANT', evidence };
};
