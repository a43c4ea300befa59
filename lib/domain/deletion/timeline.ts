/** Time arithmetic and failure classification shared by the deletion rules. */
import { PENDING_DELETION_ERROR_CODES, PENDING_DELETION_SUFFIX } from '../operations.js';
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
  PENDING_DELETION_ERROR_CODES.has(failure.errorCode) && failure.message.trimEnd().endsWith(PENDING_DELETION_SUFFIX);

/** KMS's answer to a call on a disabled key (DisabledException), not one caused by a pending deletion. */
export const isDisabledFailure = (failure: Pick<FailedUse, 'errorCode' | 'message'>): boolean =>
  failure.errorCode === 'DisabledException' && !isPendingDeletionFailure(failure);

/** When the current scheduling happened, when anyone knows. */
export const scheduledAt = (evidence: DeletionEvidence): string | undefined => evidence.scheduling?.scheduledAt;
