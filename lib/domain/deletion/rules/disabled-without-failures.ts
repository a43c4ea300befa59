/**
 * Rule 5: the AWS-recommended procedure was followed. The key was Disabled for the observation period before it
 * was scheduled and nothing failed to use it since it was disabled.
 */
import { USAGE_OPERATIONS, WORKLOAD_OPERATIONS } from '../../operations.js';
import { disabledSince } from '../prior-state.js';
import { NOT_APPLICABLE, type DeletionRule } from '../rule.js';
import { daysBetween, isBefore } from '../timeline.js';

export const disabledWithoutFailures: DeletionRule = (evidence, policy, now) => {
  const since = disabledSince(evidence);
  if (since === undefined) return NOT_APPLICABLE;
  const until = evidence.scheduling?.scheduledAt ?? now.toISOString();
  const disabledDays = daysBetween(since, until);
  if (disabledDays < policy.observationPeriodDays) return NOT_APPLICABLE;
  const failed = evidence.failures.some(
    (failure) => (USAGE_OPERATIONS.has(failure.operation) || WORKLOAD_OPERATIONS.has(failure.operation)) && !isBefore(failure.at, since),
  );
  if (failed) return NOT_APPLICABLE;
  return {
    applies: true,
    action: 'allow-deletion',
    reason: 'disabled-without-failures',
    facts: { disabledSince: since, disabledDays: Math.floor(disabledDays), observationPeriodDays: policy.observationPeriodDays },
  };
};
