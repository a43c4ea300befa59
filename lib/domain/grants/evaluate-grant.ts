/**
 * The verdict on one grant: nothing to do (closed, out of scope, an AWS service's), keep, or revoke.
 * AWS-service grants are recognised by the one shared definition, classifyGrant.
 */
import { classifyGrant } from '../aws-service-grant.js';
import type { GuardPolicy } from '../guard-policy.js';
import type { GrantRecord, GrantStatus, KeyUsageSummary } from '../model.js';
import { grantMaxAgeFor } from './grant-max-age.js';
import { isAwsManagedKey, type KeyScopeFacts } from './key-scope.js';
import { grantTtlExpired } from './rules/grant-ttl-expired.js';
import { staleGrant } from './rules/stale-grant.js';

export interface GrantContext {
  readonly key: KeyScopeFacts;
  readonly usage: Pick<KeyUsageSummary, 'callers' | 'lastUsedByOperation'>;
  readonly policy: Pick<GuardPolicy, 'grantMaxAgeDays' | 'grantRecentUseDays'>;
}

export type GrantVerdict =
  | { readonly kind: 'closed'; readonly status: Exclude<GrantStatus, 'active'> }
  | { readonly kind: 'aws-managed-key' }
  | { readonly kind: 'service-grant'; readonly evidence: readonly string[] }
  | { readonly kind: 'keep' | 'revoke'; readonly reasons: readonly string[]; readonly evidence: Readonly<Record<string, unknown>> };

export const evaluateGrant = (grant: GrantRecord, context: GrantContext, now: Date): GrantVerdict => {
  if (grant.status !== 'active') return { kind: 'closed', status: grant.status };
  if (isAwsManagedKey(context.key)) return { kind: 'aws-managed-key' };
  const service = classifyGrant(grant);
  if (service.serviceGrant) return { kind: 'service-grant', evidence: service.evidence };

  const ttl = grantTtlExpired(grant, now);
  const stale = staleGrant(grant, { maxAge: grantMaxAgeFor(context.key.tags, context.policy), usage: context.usage, policy: context.policy }, now);
  // An expired TTL is the creator's own word, so it comes first.
  const reasons = [ttl, stale].flatMap((result) => (result.status === 'NON_COMPLIANT' ? [result.reason] : []));
  const evidence = {
    grantId: grant.grantId,
    createdAt: grant.createdAt,
    grantee: grant.granteePrincipal ?? null,
    operations: grant.operations,
    ...(grant.name === undefined ? {} : { name: grant.name }),
    ...(grant.retiringPrincipal === undefined ? {} : { retiringPrincipal: grant.retiringPrincipal }),
    ...(grant.constraints === undefined ? {} : { constraints: grant.constraints }),
    ...(grant.createdBy === undefined ? {} : { createdBy: grant.createdBy }),
    knownFrom: grant.source,
    ...(stale.status === 'NOT_APPLICABLE' ? {} : stale.evidence),
    ...(ttl.status === 'NOT_APPLICABLE' ? {} : ttl.evidence),
  };
  return { kind: reasons.length > 0 ? 'revoke' : 'keep', reasons, evidence };
};
