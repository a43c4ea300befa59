/**
 * The policy rules for one PutKeyPolicy, CreateKey or ReplicateKey call (ReplicateKey sets the new replica's
 * policy). A CreateKey or ReplicateKey without a policy gets the default key policy (the account administers the
 * key), which passes. A failed call changed nothing.
 */
import type { KmsEvent } from '../kms-event.js';
import { readKeyPolicy } from './key-policy.js';
import { lockoutCheckBypassed } from './lockout-check-bypassed.js';
import { policyLockout } from './policy-lockout.js';
import { publicKeyPolicy } from './public-key-policy.js';
import { findingsOf, type Finding, nonCompliant, type RuleResult } from './rule-result.js';

export const POLICY_OPERATIONS: ReadonlySet<string> = new Set(['PutKeyPolicy', 'CreateKey', 'ReplicateKey']);

export const evaluatePolicyChange = (event: KmsEvent): Finding[] => {
  if (!POLICY_OPERATIONS.has(event.eventName) || event.error !== undefined) return [];
  const results: RuleResult[] = [];
  const policy = readKeyPolicy(event.requestParameters.policy);
  if (policy.kind === 'unreadable') {
    results.push(nonCompliant('policy-unreadable', { operation: event.eventName, problem: policy.reason }));
  } else if (policy.kind === 'absent' && event.eventName === 'PutKeyPolicy') {
    results.push(nonCompliant('policy-unreadable', { operation: event.eventName, problem: 'PutKeyPolicy without a policy' }));
  } else if (policy.kind === 'document') {
    results.push(policyLockout(policy.statements, event.accountId), publicKeyPolicy(policy.statements));
  }
  results.push(lockoutCheckBypassed(event.requestParameters));
  return findingsOf(results);
};
