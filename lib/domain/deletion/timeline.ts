/** Time arithmetic and failure classification shared by the deletion rules. */
import { isPendingDeletionError } from '../operations.js';
import type { DeletionEvidence, FailedUse } from './evidence.js';

const DAY_MS = 86_400_000;

/** Whole and fractional days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: Date | string): number =>
  (new Date(to).getTime() - new Date(from).getTime()) / DAY_MS;

export const isBefore = (a: string, b: string): boolean => new Date(a).getTime() < new Date(b).getTime();

/** The latest of some ISO timestamps, or undefined when there are none. */
export const latest = (...times: readonly (string | undefined)[]): string | undefined =>
  times.filter((time): time is string => time !== undefined).sort((a, b) => daysBetween(a, b))[0];

/** The earliest of some ISO timestamps, or undefined when there are none. */
export const earliest = (...times: readonly (string | undefined)[]): string | undefined =>
  times.filter((time): time is string => time !== undefined).sort((a, b) => daysBetween(b, a))[0];

/** KMS's answer to a call on a key scheduled for deletion. */
export const isPendingDeletionFailure = (failure: Pick<FailedUse, 'errorCode' | 'message'>): boolean =>
  isPendingDeletionError({ code: failure.errorCode, message: failure.message });

/** KMS's answer to a call on a disabled key (DisabledException), not one caused by a pending deletion. */
export const isDisabledFailure = (failure: Pick<FailedUse, 'errorCode' | 'message'>): boolean =>
  failure.errorCode === 'DisabledException' && !isPendingDeletionFailure(failure);

/** When the current scheduling happened, when anyone knows. */
export const scheduledAt = (evidence: DeletionEvidence): string | undefined => evidence.scheduling?.scheduledAt;

/** KMS's longest waiting period: a deletion date says the key was scheduled no earlier than this before it. */
const MAX_PENDING_WINDOW_DAYS = 30;

/**
 * The instant the rules judge the scheduling at: when it happened, so that a later sweep or retry reaches the
 * same verdict ("used 85 days before it was scheduled" must not become old use while the key waits). When only
 * KMS's deletion date is known, the earliest the scheduling can have been; never later than `now`.
 */
export const judgedAt = (evidence: Pick<DeletionEvidence, 'scheduling'>, now: Date): Date => {
  const scheduling = evidence.scheduling;
  if (scheduling?.scheduledAt !== undefined) return new Date(scheduling.scheduledAt);
  if (scheduling?.deletionDate !== undefined) {
    const window = scheduling.pendingWindowInDays ?? MAX_PENDING_WINDOW_DAYS;
    const earliest = new Date(Date.parse(scheduling.deletionDate) - window * DAY_MS);
    return earliest < now ? earliest : now;
  }
  return now;
};
