/**
 * Rule 3: a call failed with DisabledException while the key was disabled, before it was scheduled. Someone
 * needs the key, but it was off on purpose: cancel, and leave it Disabled.
 */
import { disabledSince, priorState } from '../prior-state.js';
import { evidenceCallers } from '../evidence-callers.js';
import { NOT_APPLICABLE, type DeletionRule } from '../rule.js';
import { isBefore, isDisabledFailure } from '../timeline.js';

export const useWhileDisabled: DeletionRule = (evidence) => {
  const prior = priorState(evidence);
  if (prior.source === 'history' && prior.state !== 'Disabled') return NOT_APPLICABLE;
  const scheduledAt = evidence.scheduling?.scheduledAt;
  const since = disabledSince(evidence);
  const lastUse = evidence.lastCryptographicUse?.at;
  const failure = evidence.failures
    .filter(
      (candidate) =>
        isDisabledFailure(candidate) &&
        (scheduledAt === undefined || isBefore(candidate.at, scheduledAt)) &&
        (since === undefined || !isBefore(candidate.at, since)) &&
        // A later successful use means the key was enabled again: that failure belongs to an earlier period.
        (lastUse === undefined || isBefore(lastUse, candidate.at)),
    )
    .sort((a, b) => (isBefore(a.at, b.at) ? 1 : -1))[0];
  if (failure === undefined) return NOT_APPLICABLE;
  return {
    applies: true,
    action: 'cancel-deletion',
    reason: 'use-while-disabled',
    keepDisabled: true,
    facts: {
      failedAt: failure.at,
      operation: failure.operation,
      ...evidenceCallers(failure),
      ...(since === undefined ? {} : { disabledSince: since }),
      ...(failure.eventId === undefined ? {} : { eventId: failure.eventId }),
    },
  };
};
