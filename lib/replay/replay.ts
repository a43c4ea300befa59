/**
 * `kms-guard replay`: real CloudTrail logs through the same use cases the Lambdas run, in eventTime order.
 * Usage and grant events are recorded in SQS-sized batches (as the usage tracker would receive them); a batch is
 * flushed before any decision so that every decision sees the history before it. Sweeps run once more at --now.
 *
 * One bad event never ends the run: an event a use case refuses is reported with its file and record, counted,
 * and the replay goes on. Only a store that keeps failing (every event in a row) stops it.
 */
import type { CustomKeyStoreRegistry } from '../domain/alerts/custom-key-store-registry.js';
import type { GuardPolicy } from '../domain/guard-policy.js';
import type { KmsEvent } from '../domain/kms-event.js';
import type { Decision } from '../domain/model.js';
import type { Clock, DecisionPublisher, DecisionStore, GrantStore, UsageStore } from '../domain/ports.js';
import type { SkipCategory } from '../ingest/outcome.js';
import type { InputRecord } from '../ingest/read-inputs.js';
import { readInputs } from '../ingest/read-inputs.js';
import { routeEvent } from '../routing.js';
import { expireGrants } from '../use-cases/expire-grants.js';
import { guardDeletion } from '../use-cases/guard-deletion.js';
import { guardPolicy } from '../use-cases/guard-policy.js';
import { recordEvents } from '../use-cases/record-events.js';
import { sweepPendingDeletions } from '../use-cases/sweep-pending-deletions.js';
import { TimeOrderedEvents } from './time-order.js';

/** The usage tracker's production batch size (SQS batch into the Lambda). */
export const REPLAY_BATCH_SIZE = 1000;
/** Events failing one after another, past which the store (not the input) is the problem: the replay stops. */
export const CONSECUTIVE_FAILURES_LIMIT = 25;

export interface ReplayDeps {
  readonly usage: UsageStore;
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
  onRecord?(record: InputRecord): void;
  onEventProcessed?(processed: number, total: number): void;
  /** An event whose key could not be resolved (see KmsEvent.unresolvedKey): kept, but it records no use. */
  onUnresolvedKey?(origin: EventOrigin, event: KmsEvent): void;
  onEventFailed?(failure: EventFailure): void;
}

export interface ReplaySummary {
  readonly files: number;
  readonly records: number;
  readonly events: number;
  /** Valid records holding no event for the guard, by why. */
  readonly skipped: Readonly<Record<SkipCategory, number>>;
  /** Records rejected; each was handed to the listener's onRecord as it was read, so none is held here. */
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

interface OrderedItem {
  readonly event: KmsEvent;
  readonly origin: EventOrigin;
}

export const replay = async (
  deps: ReplayDeps,
  paths: readonly string[],
  now: Date,
  listener: ReplayListener = {},
): Promise<ReplaySummary> => {
  const decisions: Decision[] = [];
  const publisher: DecisionPublisher = {
    publish: async (made) => {
      decisions.push(...made);
      await deps.publisher.publish(made);
    },
  };
  const clock = new ReplayClock(now);
  const useCaseDeps = { ...deps, publisher, clock, mode: 'dry-run' as const };
  const nowIso = now.toISOString();

  const ordered = new TimeOrderedEvents<OrderedItem>({ eventOf: (item) => item.event });
  const sources = new Set<string>();
  const skipped: Record<SkipCategory, number> = { 'not-kms': 0, 'cloudtrail-digest': 0, 'cloudtrail-insight': 0 };
  let records = 0;
  let rejected = 0;
  let unresolvedKeys = 0;
  let afterNow = 0;
  let latestAfterNow: string | undefined;
  for await (const record of readInputs(paths)) {
    records += 1;
    sources.add(record.source);
    listener.onRecord?.(record);
    const { outcome } = record;
    if (outcome.kind === 'skipped') skipped[outcome.category] += 1;
    else if (outcome.kind === 'rejected') rejected += 1;
    else if (outcome.event.eventTime > nowIso) {
      afterNow += 1;
      if (latestAfterNow === undefined || outcome.event.eventTime > latestAfterNow) latestAfterNow = outcome.event.eventTime;
    } else {
      const origin = { source: record.source, ...(record.index === undefined ? {} : { position: positionOf(record) }) };
      if (outcome.event.unresolvedKey !== undefined) {
        unresolvedKeys += 1;
        listener.onUnresolvedKey?.(origin, outcome.event);
      }
      await ordered.add({ event: outcome.event, origin });
    }
  }
  const total = records - rejected - afterNow - Object.values(skipped).reduce((sum, count) => sum + count, 0);

  let pending: KmsEvent[] = [];
  let duplicates = 0;
  let writes = 0;
  let failed = 0;
  let consecutiveFailures = 0;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const result = await recordEvents(useCaseDeps, pending);
    duplicates += result.duplicates;
    writes += result.writes;
    pending = [];
  };
  const decide = async ({ event, origin }: OrderedItem, run: () => Promise<unknown>): Promise<void> => {
    try {
      await run();
      consecutiveFailures = 0;
    } catch (error) {
      failed += 1;
      consecutiveFailures += 1;
      const message = error instanceof Error ? error.message : String(error);
      const where = origin.position === undefined ? origin.source : `${origin.source} ${origin.position}`;
      listener.onEventFailed?.({ where, what: `${event.eventName} ${event.eventId}`, message });
      if (consecutiveFailures >= CONSECUTIVE_FAILURES_LIMIT) {
        throw new ReplayStoreError(`${consecutiveFailures} events in a row could not be handled; the last: ${message}`, { cause: error });
      }
    }
  };

  let processed = 0;
  for await (const item of ordered.drain()) {
    const { event } = item;
    clock.set(new Date(event.eventTime));
    const targets = routeEvent(event);
    if (targets.includes('usage-tracker') || targets.includes('grant-tracker')) pending.push(event);
    if (targets.includes('deletion-guard')) {
      await flush();
      await decide(item, () => guardDeletion(useCaseDeps, event));
    }
    if (targets.includes('policy-guard')) {
      await flush();
      await decide(item, () => guardPolicy(useCaseDeps, event));
    }
    if (pending.length >= REPLAY_BATCH_SIZE) await flush();
    processed += 1;
    listener.onEventProcessed?.(processed, total);
  }
  await flush();

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
    files: sources.size,
    records,
    events: total,
    skipped,
    rejected,
    unresolvedKeys,
    afterNow,
    ...(latestAfterNow === undefined ? {} : { latestAfterNow }),
    failed,
    duplicates,
    writes,
    decisions,
  };
};

const positionOf = (record: InputRecord): string => `${/\.jsonl(\.gz)?$/i.test(record.source) ? 'line' : 'record'} ${record.index}`;
