/**
 * The key's state just before it was scheduled for deletion. CancelKeyDeletion leaves a key Disabled, so this
 * says whether EnableKey must follow. The store's history is the authority; when it starts too late to know,
 * a successful cryptographic use the store saw after the last known unusable state proves the key was Enabled
 * (a disabled key cannot be used), and a DisabledException after that proves it was Disabled.
 */
import type { KeyStateName, StateTransition } from '../model.js';
import type { DeletionEvidence } from './evidence.js';
import { isBefore, isDisabledFailure, latest } from './timeline.js';

export interface PriorState {
  readonly state?: KeyStateName;
  readonly source: 'history' | 'inferred-from-use' | 'inferred-from-failure' | 'unknown';
  /** When that state was entered (history) or observed (inference). */
  readonly at?: string;
  readonly eventName?: string;
}

/** States that say whether the key was usable; a pending state before a scheduling means events were missed. */
const CONCLUSIVE: ReadonlySet<KeyStateName> = new Set(['Enabled', 'Disabled', 'PendingImport', 'Unavailable']);

/** CloudTrail times have one-second resolution. */
const secondOf = (isoTime: string): string => isoTime.slice(0, 19);

/** Events that need a key pending deletion (or end it): in the scheduling's second, these came after it. */
const AFTER_SCHEDULING: ReadonlySet<string> = new Set(['CancelKeyDeletion', 'ScheduleKeyDeletion', 'DeleteKey', 'KMS CMK Deletion']);

/**
 * History entries before the current scheduling (all of them when the scheduling time is unknown). KMS refuses
 * DisableKey and EnableKey on a key pending deletion, so a DisableKey in the same second as the scheduling came
 * before it, whatever order the equal timestamps sort in.
 */
export const transitionsBeforeScheduling = (evidence: DeletionEvidence): readonly StateTransition[] => {
  const scheduling = evidence.scheduling;
  const scheduledAt = scheduling?.scheduledAt;
  return evidence.history.filter(
    (transition) =>
      transition.eventId !== scheduling?.eventId &&
      (scheduledAt === undefined ||
        isBefore(transition.at, scheduledAt) ||
        (secondOf(transition.at) === secondOf(scheduledAt) && !AFTER_SCHEDULING.has(transition.eventName))),
  );
};

/** History entries after the current scheduling: the complement of transitionsBeforeScheduling, without the scheduling itself. */
export const transitionsAfterScheduling = (evidence: DeletionEvidence): readonly StateTransition[] => {
  const before = new Set(transitionsBeforeScheduling(evidence));
  return evidence.history.filter((transition) => !before.has(transition) && transition.eventId !== evidence.scheduling?.eventId);
};

export const priorState = (evidence: DeletionEvidence): PriorState => {
  if (evidence.supersededBy !== undefined) return { source: 'unknown' };
  const before = transitionsBeforeScheduling(evidence);
  const scheduledAt = evidence.scheduling?.scheduledAt;
  // Two different states in the scheduling's own second: their order is unknowable.
  const sameSecond = scheduledAt === undefined ? [] : before.filter((transition) => secondOf(transition.at) === secondOf(scheduledAt));
  if (new Set(sameSecond.map((transition) => transition.state)).size > 1) return { source: 'unknown' };
  const last = before.at(-1);
  if (last !== undefined && CONCLUSIVE.has(last.state)) {
    return { state: last.state, source: 'history', at: last.at, eventName: last.eventName };
  }
  return inferPriorState(evidence, before);
};

const inferPriorState = (evidence: DeletionEvidence, before: readonly StateTransition[]): PriorState => {
  const scheduledAt = evidence.scheduling?.scheduledAt;
  const watchedSince = evidence.storeWatchedSince;
  const lastUnusable = before.filter((transition) => transition.state !== 'Enabled').at(-1)?.at;
  const inWindow = (at: string): boolean =>
    (scheduledAt === undefined || isBefore(at, scheduledAt)) && (lastUnusable === undefined || isBefore(lastUnusable, at));
  // A use KMS saw before the store watched could be followed by a DisableKey nobody recorded.
  const lastUse = latest(
    ...evidence.cryptographicUses
      .filter((use) => watchedSince !== undefined && !isBefore(use.at, watchedSince) && inWindow(use.at))
      .map((use) => use.at),
  );
  const disabledAfterUse = latest(
    ...evidence.failures
      .filter((failure) => isDisabledFailure(failure) && inWindow(failure.at) && (lastUse === undefined || isBefore(lastUse, failure.at)))
      .map((failure) => failure.at),
  );
  if (disabledAfterUse !== undefined) return { state: 'Disabled', source: 'inferred-from-failure', at: disabledAfterUse };
  if (lastUse !== undefined) return { state: 'Enabled', source: 'inferred-from-use', at: lastUse };
  return { source: 'unknown' };
};

/** Start of the Disabled period the key was in when it was scheduled, when the history knows it. */
export const disabledSince = (evidence: DeletionEvidence): string | undefined => {
  const before = transitionsBeforeScheduling(evidence);
  let since: string | undefined;
  for (let index = before.length - 1; index >= 0 && before[index]?.state === 'Disabled'; index -= 1) since = before[index]?.at;
  return since;
};
