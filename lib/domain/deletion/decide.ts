/**
 * The deletion policy: the rules in order, the first that applies sets the action, and every rule that applies
 * is reported (decisive first), followed by the modifiers. Pure: evidence and a clock in, a verdict out.
 */
import type { GuardPolicy } from '../guard-policy.js';
import type { DeletionAction, DeletionEvidence } from './evidence.js';
import { priorState, type PriorState } from './prior-state.js';
import type { DeletionModifier, DeletionRule, RuleFacts } from './rule.js';
import { awsServiceGrant } from './rules/aws-service-grant.js';
import { customKeyStore } from './rules/custom-key-store.js';
import { disabledWithoutFailures } from './rules/disabled-without-failures.js';
import { exemptPrincipal } from './rules/exempt-principal.js';
import { exemptTag } from './rules/exempt-tag.js';
import { exemptTagIgnored } from './rules/exempt-tag-ignored.js';
import { noEvidence } from './rules/no-evidence.js';
import { noRecordedUse } from './rules/no-recorded-use.js';
import { oldUse } from './rules/old-use.js';
import { pendingReplicaDeletion } from './rules/pending-replica-deletion.js';
import { publicKeyExported } from './rules/public-key-exported.js';
import { publicKeyExportedSigning } from './rules/public-key-exported-signing.js';
import { recentUse } from './rules/recent-use.js';
import { useWhileDisabled } from './rules/use-while-disabled.js';
import { useWhilePendingDeletion } from './rules/use-while-pending-deletion.js';

export const DELETION_RULES: readonly DeletionRule[] = [
  useWhilePendingDeletion,
  exemptTag,
  exemptPrincipal,
  useWhileDisabled,
  awsServiceGrant,
  // Before disabled-without-failures: ciphertexts made with an exported public key fail no call while disabled.
  publicKeyExported,
  disabledWithoutFailures,
  recentUse,
  publicKeyExportedSigning,
  oldUse,
  noRecordedUse,
];

export const DELETION_MODIFIERS: readonly DeletionModifier[] = [exemptTagIgnored, pendingReplicaDeletion, customKeyStore, noEvidence];

export interface DeletionVerdict {
  readonly action: DeletionAction;
  /** Reason codes, decisive first. */
  readonly reasons: readonly string[];
  /** cancel-deletion only: EnableKey after CancelKeyDeletion. */
  readonly reEnable?: boolean;
  /** The facts behind each reason, by reason code. */
  readonly facts: Readonly<Record<string, RuleFacts>>;
  readonly priorState: PriorState;
}

export const decideDeletion = (evidence: DeletionEvidence, policy: GuardPolicy, now: Date): DeletionVerdict => {
  const applied = DELETION_RULES.flatMap((rule) => {
    const verdict = rule(evidence, policy, now);
    return verdict.applies ? [verdict] : [];
  });
  const modifiers = DELETION_MODIFIERS.flatMap((modifier) => {
    const verdict = modifier(evidence, policy);
    return verdict.applies ? [verdict] : [];
  });
  const prior = priorState(evidence);
  const facts: Record<string, RuleFacts> = {};
  for (const verdict of [...applied, ...modifiers]) facts[verdict.reason] = verdict.facts;
  const reasons = [...applied, ...modifiers].map((verdict) => verdict.reason);
  // The last rule always applies when nothing was used; this only guards the type.
  const action = applied[0]?.action ?? 'alert';
  if (applied.length === 0) reasons.unshift('undecided');
  if (action !== 'cancel-deletion') return { action, reasons, facts, priorState: prior };

  const keepDisabled = applied.some((verdict) => verdict.keepDisabled === true);
  if (!keepDisabled && prior.source === 'unknown') {
    reasons.push('prior-state-unknown');
    facts['prior-state-unknown'] = { scheduledAt: evidence.scheduling?.scheduledAt ?? null };
  }
  return { action, reasons, reEnable: !keepDisabled && prior.state === 'Enabled', facts, priorState: prior };
};
