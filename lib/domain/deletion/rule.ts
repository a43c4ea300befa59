/**
 * One rule of the deletion policy, in the shape of cdk-nag's rules: each file holds one rule, named by its file,
 * and says whether it applies and on which facts. decide.ts composes them in order.
 */
import type { GuardPolicy } from '../guard-policy.js';
import type { DeletionAction, DeletionEvidence } from './evidence.js';

export type RuleFacts = Readonly<Record<string, unknown>>;

export type RuleVerdict =
  | { readonly applies: false }
  | {
      readonly applies: true;
      readonly action: DeletionAction;
      /** The reason code reported for this rule. */
      readonly reason: string;
      readonly facts: RuleFacts;
      /** The rule forbids EnableKey after CancelKeyDeletion, whatever the prior state. */
      readonly keepDisabled?: boolean;
    };

export type DeletionRule = (evidence: DeletionEvidence, policy: GuardPolicy, now: Date) => RuleVerdict;

/** Adds a reason without changing the action. */
export type ModifierVerdict =
  | { readonly applies: false }
  | { readonly applies: true; readonly reason: string; readonly facts: RuleFacts };

export type DeletionModifier = (evidence: DeletionEvidence, policy: GuardPolicy) => ModifierVerdict;

export const NOT_APPLICABLE = { applies: false } as const;
