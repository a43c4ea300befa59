/**
 * The verdict on one grant: nothing to do (closed, out of scope, on a key that is not Enabled, an AWS service's),
 * keep, or revoke. AWS-service grants are recognised by the one shared definition, classifyGrant.
 */
import { classifyGrant } from '../aws-service-grant.js';
import type { GuardPolicy } from '../guard-policy.js';
import type { GrantRecord, GrantStatus } from '../model.js';
import type { Coverage } from '../ports.js';
import { ageInWords, creationInWords, permissionsInWords, searchInWords, supportingSignalInWords, ttlInWords } from './grant-evidence-text.js';
import { grantMaxAgeFor } from './grant-max-age.js';
import { isAwsManagedKey, type KeyScopeFacts } from './key-scope.js';
import type { ProbableUse, UsageEvidence } from './probable-use.js';
import { grantTtlExpired } from './rules/grant-ttl-expired.js';
import type { RuleResult } from './rules/rule-result.js';
import { staleGrant } from './rules/stale-grant.js';

export interface GrantContext {
  readonly key: KeyScopeFacts;
  readonly usage: UsageEvidence;
  readonly policy: Pick<GuardPolicy, 'grantMaxAgeDays' | 'grantRecentUseDays'>;
  /** What the guard watched in the key's account and Region; absent: not checked (replay). See watched-window.ts. */
  readonly watch?: { readonly coverage: Coverage | undefined; readonly where: string };
}

export type GrantVerdict =
  | { readonly kind: 'closed'; readonly status: Exclude<GrantStatus, 'active'> }
  | { readonly kind: 'aws-managed-key' }
  | { readonly kind: 'key-not-enabled'; readonly keyState: string }
  | { readonly kind: 'service-grant'; readonly evidence: readonly string[] }
  | { readonly kind: 'keep' | 'revoke'; readonly reasons: readonly string[]; readonly evidence: Readonly<Record<string, unknown>> };

export const evaluateGrant = (grant: GrantRecord, context: GrantContext, now: Date): GrantVerdict => {
  if (grant.status !== 'active') return { kind: 'closed', status: grant.status };
  if (isAwsManagedKey(context.key)) return { kind: 'aws-managed-key' };
  // A key that is not Enabled has no successful use: every grant on it would look stale, and be gone when it is enabled again.
  if (context.key.keyState !== 'Enabled') return { kind: 'key-not-enabled', keyState: context.key.keyState };
  const service = classifyGrant(grant);
  if (service.serviceGrant) return { kind: 'service-grant', evidence: service.evidence };

  const ttl = grantTtlExpired(grant, now);
  const stale = staleGrant(
    grant,
    { maxAge: grantMaxAgeFor(context.key.tags, context.policy), usage: context.usage, policy: context.policy, ...(context.watch === undefined ? {} : { watch: context.watch }) },
    now,
  );
  // An expired TTL is the creator's own word, so it comes first; a grant that may be a service's is never stale.
  const decisive = [ttl, ...(service.possibleServiceGrant ? [] : [stale])];
  const reasons = decisive.flatMap((result) => (result.status === 'NON_COMPLIANT' ? [result.reason] : []));
  const evidence = {
    grantId: grant.grantId,
    createdAt: grant.createdAt,
    grantee: grant.granteePrincipal ?? null,
    operations: grant.operations,
    ...(grant.name === undefined ? {} : { name: grant.name }),
    ...(grant.retiringPrincipal === undefined ? {} : { retiringPrincipal: grant.retiringPrincipal }),
    ...(grant.constraints === undefined ? {} : { constraints: grant.constraints }),
    ...(grant.createdBy === undefined ? {} : { createdBy: grant.createdBy }),
    ...(grant.invokedBy === undefined ? {} : { invokedBy: grant.invokedBy }),
    ...(grant.createEventId === undefined ? {} : { createEventId: grant.createEventId }),
    ...(grant.issuingAccount === undefined ? {} : { issuingAccount: grant.issuingAccount }),
    knownFrom: grant.source,
    ...(service.supportingSignals.length === 0 ? {} : { supportingSignals: service.supportingSignals }),
    ...(service.possibleServiceGrant ? { possibleServiceGrant: true } : {}),
    ...(stale.status === 'NOT_APPLICABLE' ? {} : stale.evidence),
    ...(ttl.status === 'NOT_APPLICABLE' ? {} : ttl.evidence),
    explanation: explain(grant, ttl, service.possibleServiceGrant ? { status: 'NOT_APPLICABLE' } : stale, service.supportingSignals),
  };
  return { kind: reasons.length > 0 ? 'revoke' : 'keep', reasons, evidence };
};

/** The decision in sentences: who made the grant, what it allows, and each reason's facts. */
const explain = (grant: GrantRecord, ttl: RuleResult, stale: RuleResult, supportingSignals: readonly string[]): string[] => {
  const sentences = [creationInWords(grant), permissionsInWords(grant)];
  if (ttl.status === 'NON_COMPLIANT') sentences.push(ttlInWords(Number(ttl.evidence.ttlDays), String(ttl.evidence.ttlExpiresAt)));
  if (stale.status === 'NON_COMPLIANT') {
    const facts = stale.evidence as { lookedFor: string[]; recentUseDays: number; probableUseSince: string; lastKnownUse: ProbableUse | null; ageDays: number; maxAgeDays: number; maxAgeSource: string };
    sentences.push(
      searchInWords(grant, {
        lookedFor: facts.lookedFor,
        recentUseDays: facts.recentUseDays,
        since: facts.probableUseSince,
        ...(facts.lastKnownUse === null ? {} : { lastKnown: facts.lastKnownUse }),
      }),
      ageInWords(facts.ageDays, facts.maxAgeDays, facts.maxAgeSource),
    );
    sentences.push(...supportingSignals.map(supportingSignalInWords));
  }
  return sentences;
};
