/**
 * Rule 1: a workload call failed because the key is pending deletion (or replica deletion). A workload needs it,
 * exempt or not. CreateGrant counts: EC2 calls it first when it starts an instance or attaches a volume, and on
 * a pending key no Decrypt ever follows.
 */
import { WORKLOAD_OPERATIONS } from '../../operations.js';
import { NOT_APPLICABLE, type DeletionRule } from '../rule.js';
import { evidenceCallers } from '../evidence-callers.js';
import { isBefore, isPendingDeletionFailure } from '../timeline.js';

export const useWhilePendingDeletion: DeletionRule = (evidence) => {
  const scheduledAt = evidence.scheduling?.scheduledAt;
  const failures = evidence.failures.filter(
    (failure) =>
      WORKLOAD_OPERATIONS.has(failure.operation) &&
      isPendingDeletionFailure(failure) &&
      // A failure from an earlier, cancelled scheduling says nothing about this one.
      (scheduledAt === undefined || !isBefore(failure.at, scheduledAt)),
  );
  const failure = failures.sort((a, b) => (isBefore(a.at, b.at) ? 1 : -1))[0];
  if (failure === undefined) return NOT_APPLICABLE;
  return {
    applies: true,
    action: 'cancel-deletion',
    reason: 'use-while-pending-deletion',
    facts: {
      failedAt: failure.at,
      operation: failure.operation,
      errorCode: failure.errorCode,
      ...evidenceCallers(failure),
      ...(failure.calls === undefined ? {} : { failedCalls: failure.calls }),
      ...(failure.eventId === undefined ? {} : { eventId: failure.eventId }),
    },
  };
};
