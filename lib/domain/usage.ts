/**
 * Key usage as per-key, per-UTC-day buckets. A batch of events folds into deltas (one per key and day);
 * a delta merges into the stored bucket idempotently (each eventID counted once, through a bounded ring of
 * fingerprints) and order-safely (every `lastAt` is a max, so a late event never moves "last used" back).
 */
import { callerId, type Caller, type KmsEvent } from './kms-event.js';
import type { CallerUsage, FailedCall, FailureSummary } from './model.js';
import { isPendingDeletionError, USAGE_OPERATIONS } from './operations.js';
import { fingerprint } from './fingerprint.js';
import { fitUsageDay, withFailureCaller } from './usage-bounds.js';

/** Recent eventID fingerprints kept per bucket: redeliveries and replays arrive well within this window. */
export const SEEN_RING_SIZE = 2_000;
/** Bounds a bucket's size for keys called by very many principals in one day; the least recent go first. */
export const MAX_CALLERS_PER_DAY = 500;

/** A caller within one day's bucket (the bucket is keyed by caller id). */
export type DayCaller = Omit<CallerUsage, 'id'>;

/** A failure within one day's bucket; the summary of a key folds these. */
export type DayFailure = FailureSummary;

/** Raw usage of one key on one UTC day, as stored. */
export interface UsageDay {
  readonly keyArn: string;
  /** YYYY-MM-DD (UTC). */
  readonly day: string;
  /** Successful calls per operation. */
  readonly counts: Readonly<Record<string, number>>;
  readonly lastAt: Readonly<Record<string, string>>;
  readonly callers: Readonly<Record<string, DayCaller>>;
  /** Keyed "<operation>|<errorCode>". */
  readonly failures: Readonly<Record<string, DayFailure>>;
  readonly lastPendingDeletionFailure?: FailedCall;
  readonly lastDisabledFailure?: FailedCall;
  /** Earliest event time in the bucket. */
  readonly firstAt: string;
  /** Fingerprints of recently merged eventIDs, oldest first. */
  readonly seen: readonly string[];
}

/** One event's contribution to one key's day. `ref` points back to the event in its batch. */
export interface UsageEntry {
  readonly ref: number;
  readonly fingerprint: string;
  readonly eventId: string;
  readonly at: string;
  readonly operation: string;
  readonly caller: Caller;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface UsageDelta {
  readonly keyArn: string;
  readonly day: string;
  readonly entries: readonly UsageEntry[];
}

export const dayOf = (isoTime: string): string => isoTime.slice(0, 10);

/** Successes of usage operations, and every failed call that names a key (any operation). */
export const isUsageEvent = (event: KmsEvent): boolean => event.error !== undefined || USAGE_OPERATIONS.has(event.eventName);

export const isPendingDeletionFailure = (error: { code: string; message: string }): boolean => isPendingDeletionError(error);

/** Groups a batch into one delta per (key, day); an event naming several keys (ReEncrypt) counts for each. */
export const foldUsage = (events: readonly KmsEvent[]): UsageDelta[] => {
  const deltas = new Map<string, { keyArn: string; day: string; entries: UsageEntry[] }>();
  events.forEach((event, ref) => {
    if (!isUsageEvent(event)) return;
    const day = dayOf(event.eventTime);
    for (const keyArn of new Set(event.keyArns)) {
      const id = `${keyArn}\n${day}`;
      const delta = deltas.get(id) ?? { keyArn, day, entries: [] };
      deltas.set(id, delta);
      delta.entries.push({
        ref,
        fingerprint: fingerprint(event.eventId),
        eventId: event.eventId,
        at: event.eventTime,
        operation: event.eventName,
        caller: event.caller,
        ...(event.error === undefined ? {} : { error: event.error }),
      });
    }
  });
  return [...deltas.values()];
};

export const emptyUsageDay = (keyArn: string, day: string, firstAt: string): UsageDay => ({
  keyArn,
  day,
  counts: {},
  lastAt: {},
  callers: {},
  failures: {},
  firstAt,
  seen: [],
});

export interface MergeResult {
  readonly day: UsageDay;
  /** Refs of the entries merged for the first time; the others had been seen already. */
  readonly newRefs: ReadonlySet<number>;
}

/** Merges a delta into a stored bucket (or a fresh one). Pure: the stored bucket is not changed. */
export const mergeUsage = (stored: UsageDay | undefined, delta: UsageDelta): MergeResult => {
  const firstEntry = delta.entries[0];
  const base = stored ?? emptyUsageDay(delta.keyArn, delta.day, firstEntry?.at ?? `${delta.day}T00:00:00.000Z`);
  const seen = new Set(base.seen);
  const ring = [...base.seen];
  const day = workingCopy(base);
  const newRefs = new Set<number>();
  for (const entry of delta.entries) {
    if (seen.has(entry.fingerprint)) continue;
    seen.add(entry.fingerprint);
    ring.push(entry.fingerprint);
    newRefs.add(entry.ref);
    applyEntry(day, entry);
  }
  day.seen = ring.slice(-SEEN_RING_SIZE);
  day.callers = boundCallers(day.callers);
  return { day: fitUsageDay(day), newRefs };
};

/** A working copy whose maps may be written; merge copies once, then updates in place. */
interface WorkingDay extends Omit<UsageDay, 'counts' | 'lastAt' | 'callers' | 'failures' | 'seen' | 'firstAt'> {
  firstAt: string;
  seen: readonly string[];
  counts: Record<string, number>;
  lastAt: Record<string, string>;
  callers: Record<string, DayCaller>;
  failures: Record<string, DayFailure>;
  lastPendingDeletionFailure?: FailedCall;
  lastDisabledFailure?: FailedCall;
}

const workingCopy = (day: UsageDay): WorkingDay => ({
  ...day,
  counts: { ...day.counts },
  lastAt: { ...day.lastAt },
  callers: { ...day.callers },
  failures: { ...day.failures },
});

const applyEntry = (day: WorkingDay, entry: UsageEntry): void => {
  day.firstAt = minIso(day.firstAt, entry.at);
  const id = callerId(entry.caller);
  if (entry.error === undefined) {
    day.counts[entry.operation] = (day.counts[entry.operation] ?? 0) + 1;
    day.lastAt[entry.operation] = maxIso(day.lastAt[entry.operation], entry.at);
    const caller = day.callers[id];
    day.callers[id] = {
      principal: entry.caller.principal,
      ...(entry.caller.service === undefined ? {} : { service: entry.caller.service }),
      count: (caller?.count ?? 0) + 1,
      lastAt: maxIso(caller?.lastAt, entry.at),
      operations: union(caller?.operations, [entry.operation]),
    };
    return;
  }
  const error = entry.error;
  const failureKey = `${entry.operation}|${error.code}`;
  const failure = day.failures[failureKey];
  const isLatest = failure === undefined || isLater(entry.at, entry.eventId, failure.lastAt, failure.lastEventId);
  day.failures[failureKey] = {
    operation: entry.operation,
    errorCode: error.code,
    count: (failure?.count ?? 0) + 1,
    lastAt: isLatest ? entry.at : failure.lastAt,
    lastMessage: isLatest ? error.message : failure.lastMessage,
    lastEventId: isLatest ? entry.eventId : failure.lastEventId,
    ...withFailureCaller(failure, id),
  };
  const call: FailedCall = {
    at: entry.at,
    eventId: entry.eventId,
    operation: entry.operation,
    errorCode: error.code,
    message: error.message,
    caller: entry.caller,
  };
  if (isPendingDeletionFailure(error)) day.lastPendingDeletionFailure = latestCall(day.lastPendingDeletionFailure, call);
  if (error.code === 'DisabledException') day.lastDisabledFailure = latestCall(day.lastDisabledFailure, call);
};

const boundCallers = (callers: Readonly<Record<string, DayCaller>>): Readonly<Record<string, DayCaller>> => {
  const entries = Object.entries(callers);
  if (entries.length <= MAX_CALLERS_PER_DAY) return callers;
  entries.sort(([idA, a], [idB, b]) => b.lastAt.localeCompare(a.lastAt) || idA.localeCompare(idB));
  return Object.fromEntries(entries.slice(0, MAX_CALLERS_PER_DAY));
};

/** Newer time wins; at the same time the larger eventId, so the result does not depend on arrival order. */
export const isLater = (at: string, eventId: string, otherAt: string, otherEventId: string): boolean =>
  at > otherAt || (at === otherAt && eventId > otherEventId);

export const latestCall = (current: FailedCall | undefined, candidate: FailedCall): FailedCall =>
  current === undefined || isLater(candidate.at, candidate.eventId, current.at, current.eventId) ? candidate : current;

// ISO-8601 UTC strings of one format compare correctly as strings.
export const maxIso = (current: string | undefined, candidate: string): string =>
  current === undefined || candidate > current ? candidate : current;
export const minIso = (current: string | undefined, candidate: string): string =>
  current === undefined || candidate < current ? candidate : current;

/** Sorted and distinct; the stored list itself when it holds every added value already (the common case). */
const union = (current: readonly string[] | undefined, added: readonly string[]): readonly string[] =>
  current !== undefined && added.every((value) => current.includes(value)) ? current : [...new Set([...(current ?? []), ...added])].sort();
