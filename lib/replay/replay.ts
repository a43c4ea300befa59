/**
 * `kms-guard replay`: real CloudTrail logs through the same use cases the Lambdas run, in eventTime order.
 * Files are read and parsed in worker threads into sorted runs, merged back into one time-ordered stream. Usage is
 * coalesced across the whole run (usage-coalescer.ts): a key's usage is written when a decision reads it, when the
 * held usage reaches its share of the memory budget, or at the end. Sweeps run once more at --now.
 *
 * One bad event never ends the run: an event a use case refuses is reported with its file and record, counted,
 * and the replay goes on. Only a store that keeps failing (every event in a row) stops it.
 */
import { availableParallelism } from 'node:os';
import type { CustomKeyStoreRegistry } from '../domain/alerts/custom-key-store-registry.js';
import type { GuardPolicy } from '../domain/guard-policy.js';
import type { Decision } from '../domain/model.js';
import type { Clock, CoverageStore, DecisionPublisher, DecisionStore, GrantStore, UsageStore } from '../domain/ports.js';
import type { SkipCategory } from '../ingest/outcome.js';
import { listInputFiles } from '../ingest/read-inputs.js';
import { expireGrants } from '../use-cases/expire-grants.js';
import { guardDeletion } from '../use-cases/guard-deletion.js';
import { guardPolicy } from '../use-cases/guard-policy.js';
import { sweepPendingDeletions } from '../use-cases/sweep-pending-deletions.js';
import { memoryShares } from './memory-budget.js';
import { readInParallel } from './parallel-read.js';
import { positionIn, type RunItem } from './run-line.js';
import { mergeRuns } from './run-merge.js';
import { UsageCoalescer } from './usage-coalescer.js';

/** Events failing one after another, past which the store (not the input) is the problem: the replay stops. */
export const CONSECUTIVE_FAILURES_LIMIT = 25;

export interface ReplayDeps {
  readonly usage: UsageStore;
  /** Where the usage store keeps coverage (the coalescer writes what it holds or passes over there). */
  readonly coverage?: CoverageStore;
  readonly grants: GrantStore;
  readonly decisions: DecisionStore;
  readonly customKeyStores: CustomKeyStoreRegistry;
  /** Receives every decision as it is made (printing, Slack). */
  readonly publisher: DecisionPublisher;
  readonly policy: GuardPolicy;
}

/** Where an event was read: the file and the position of its record ("record 3", "line 3"). */
export interface EventOrigin {
  readonly source: string;
  readonly position?: string;
}

/** An event (or the sweeps at --now) a use case could not handle, with where it came from. */
export interface EventFailure {
  /** The file and record, or "the sweeps at --now". */
  readonly where: string;
  /** "ScheduleKeyDeletion 1a2b…" */
  readonly what: string;
  readonly message: string;
}

export interface ReplayListener {
  /** A record or file that is not valid input, with why (its file, record and field): reported as it is read. */
  onRejected?(message: string): void;
  /** Records read so far, now and then while reading. */
  onRecordsRead?(records: number): void;
  onEventProcessed?(processed: number, total: number): void;
  /** An event whose key could not be resolved (see KmsEvent.unresolvedKey): kept, but it records no use. */
  onUnresolvedKey?(origin: EventOrigin, event: { readonly eventName: string; readonly unresolvedKey: string }): void;
  onEventFailed?(failure: EventFailure): void;
}

export interface ReplayOptions {
  /** Worker threads reading the files (default: one per core). */
  readonly jobs?: number;
  /** Memory for the whole run, in MB (default 512). */
  readonly memoryBudgetMb?: number;
  /** The input files, when the caller has listed them already (listInputFiles of the paths). */
  readonly files?: readonly string[];
}

export interface ReplaySummary {
  readonly files: number;
  readonly records: number;
  readonly events: number;
  /** Valid records holding no event for the guard, by why. */
  readonly skipped: Readonly<Record<SkipCategory, number>>;
  /** Records rejected; each was handed to the listener's onRejected as it was read, so none is held here. */
  readonly rejected: number;
  /** Events naming a key the guard could not resolve (an alias, a placeholder…). */
  readonly unresolvedKeys: number;
  /** Events after --now: left out, the replay stops at --now. */
  readonly afterNow: number;
  readonly latestAfterNow?: string;
  /** Events a use case refused (each reported through onEventFailed). */
  readonly failed: number;
  readonly duplicates: number;
  readonly writes: number;
  readonly decisions: readonly Decision[];
}

/** A clock the replay moves: each event is judged at its own eventTime (never later than --now). */
class ReplayClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return this.current;
  }
  set(time: Date): void {
    this.current = time;
  }
}

/** The store kept failing: the replay cannot go on. */
export class ReplayStoreError extends Error {
  override readonly name = 'ReplayStoreError';
}

export const replay = async (
  deps: ReplayDeps,
  paths: readonly string[],
  now: Date,
  listener: ReplayListener = {},
  options: ReplayOptions = {},
): Promise<ReplaySummary> => {
  const decisions: Decision[] = [];
  const publisher: DecisionPublisher = {
    publish: async (made) => {
      decisions.push(...made);
      await deps.publisher.publish(made);
    },
  };
  const nowIso = now.toISOString();
  const shares = memoryShares(options.memoryBudgetMb ?? 512, options.jobs ?? availableParallelism());

  let failed = 0;
  let consecutiveFailures = 0;
  const fail = (origin: EventOrigin | undefined, what: string, error: unknown, events = 1): void => {
    failed += events;
    consecutiveFailures += 1;
    const message = messageOf(error);
    const where = origin === undefined ? 'the replay' : origin.position === undefined ? origin.source : `${origin.source} ${origin.position}`;
    listener.onEventFailed?.({ where, what, message });
    if (consecutiveFailures >= CONSECUTIVE_FAILURES_LIMIT) {
      throw new ReplayStoreError(`${consecutiveFailures} events in a row could not be handled; the last: ${message}`, { cause: error });
    }
  };
  const coalescer = new UsageCoalescer<EventOrigin | undefined>(deps.usage, shares.heldUsageBytes, (unrecorded) => {
    const what = unrecorded.keyArn === undefined ? 'an event' : `${unrecorded.events} event${unrecorded.events === 1 ? '' : 's'} of ${unrecorded.keyArn}`;
    fail(unrecorded.origin, `${what} could not be recorded`, unrecorded.error, unrecorded.events);
  }, deps.coverage);
  const clock = new ReplayClock(now);
  // The grant sweep gets no coverage store: in production it needs the guard's own hourly heartbeat, which logs
  // replayed before deployment never hold, so a replay judges grants on the logs' usage alone (dry-run).
  const { coverage: _coalescerOnly, ...sharedDeps } = deps;
  const useCaseDeps = { ...sharedDeps, usage: coalescer.view(), publisher, clock, mode: 'dry-run' as const };

  const files = options.files ?? (await listInputFiles(paths)).files;
  const read = await readInParallel(files, nowIso, { jobs: shares.jobs, runBytes: shares.runBytesPerWorker, heapMb: shares.workerHeapMb }, {
    onRejected: (message) => listener.onRejected?.(message),
    onRecords: (records) => listener.onRecordsRead?.(records),
    onUnresolvedKey: (source, position, eventName, unresolvedKey) =>
      listener.onUnresolvedKey?.({ source, ...(position === undefined ? {} : { position }) }, { eventName, unresolvedKey }),
  });
  const originOf = (item: RunItem): EventOrigin => {
    const source = files[item.file] ?? '';
    const position = positionIn(source, item.index);
    return { source, ...(position === undefined ? {} : { position }) };
  };
  const decide = async (item: RunItem, run: () => Promise<unknown>): Promise<void> => {
    clock.set(new Date(item.event.eventTime));
    coalescer.deciding = item.event;
    try {
      await run();
      consecutiveFailures = 0;
    } catch (error) {
      fail(originOf(item), `${item.event.eventName} ${item.event.eventId}`, error);
    }
  };

  let processed = 0;
  try {
    for await (const item of mergeRuns(read.runs)) {
      const { event, targets } = item;
      if ((targets.includes('usage-tracker') || targets.includes('grant-tracker')) && !coalescer.hold(event, originOf(item))) {
        await coalescer.writeNow(event, originOf(item));
      }
      if (coalescer.overBudget) await coalescer.relieve();
      if (targets.includes('deletion-guard')) await decide(item, () => guardDeletion(useCaseDeps, event));
      if (targets.includes('policy-guard')) await decide(item, () => guardPolicy(useCaseDeps, event));
      processed += 1;
      listener.onEventProcessed?.(processed, read.carried);
    }
    await coalescer.flushAll();
  } finally {
    await read.cleanUp();
  }

  clock.set(now);
  const sweeps = [
    { what: 'the deletion sweep', run: () => sweepPendingDeletions(useCaseDeps) },
    {
      what: 'the grant sweep',
      run: async () => {
        const result = await expireGrants(useCaseDeps);
        if (result.failures.length > 0) throw new Error(result.failures.map((failure) => `${failure.keyArn}${failure.grantId === undefined ? '' : ` grant ${failure.grantId}`}: ${failure.detail}`).join('; '));
      },
    },
  ];
  for (const sweep of sweeps) {
    await sweep.run().catch((error: unknown) => {
      failed += 1;
      listener.onEventFailed?.({ where: `at --now ${nowIso}`, what: sweep.what, message: error instanceof Error ? error.message : String(error) });
    });
  }

  return {
    files: read.files,
    records: read.records,
    events: read.events,
    skipped: read.skipped,
    rejected: read.rejected,
    unresolvedKeys: read.unresolvedKeys,
    afterNow: read.afterNow,
    ...(read.latestAfterNow === undefined ? {} : { latestAfterNow: read.latestAfterNow }),
    failed,
    duplicates: coalescer.duplicates,
    writes: coalescer.writes,
    decisions,
  };
};

/** An error's message and the messages of its causes that add to it (a StoreWriteError names the keys, its cause why). */
const messageOf = (error: unknown): string => {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current !== undefined && current !== null; depth += 1) {
    const text = current instanceof Error ? current.message : String(current);
    if (text !== '' && !parts.some((part) => part.includes(text))) parts.push(text);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ');
};
