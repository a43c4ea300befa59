/**
 * `kms-guard replay`: real CloudTrail logs through the same use cases the Lambdas run, in eventTime order.
 * Usage and grant events are recorded in SQS-sized batches (as the usage tracker would receive them); a batch is
 * flushed before any decision so that every decision sees the history before it. Sweeps run once more at --now.
 */
import type { KmsEvent } from '../domain/kms-event.js';
import type { Decision } from '../domain/model.js';
import type { GuardPolicy } from '../domain/guard-policy.js';
import type { Clock, DecisionPublisher, DecisionStore, GrantStore, UsageStore } from '../domain/ports.js';
import type { InputRecord } from '../ingest/read-inputs.js';
import { readInputs } from '../ingest/read-inputs.js';
import { routeEvent } from '../routing.js';
import { expireGrants } from '../use-cases/expire-grants.js';
import { guardDeletion } from '../use-cases/guard-deletion.js';
import { guardPolicy } from '../use-cases/guard-policy.js';
import type { CustomKeyStoreRegistry } from '../domain/alerts/custom-key-store-registry.js';
import { recordEvents } from '../use-cases/record-events.js';
import { sweepPendingDeletions } from '../use-cases/sweep-pending-deletions.js';
import { TimeOrderedEvents } from './time-order.js';

/** The usage tracker's production batch size (SQS batch into the Lambda). */
export const REPLAY_BATCH_SIZE = 1000;

export interface ReplayDeps {
  readonly usage: UsageStore;
  readonly grants: GrantStore;
  readonly decisions: DecisionStore;
  readonly customKeyStores: CustomKeyStoreRegistry;
  /** Receives every decision as it is made (printing, Slack). */
  readonly publisher: DecisionPublisher;
  readonly policy: GuardPolicy;
}

export interface ReplayListener {
  onRecord?(record: InputRecord): void;
  onEventProcessed?(processed: number, total: number): void;
}

export interface ReplaySummary {
  readonly records: number;
  readonly events: number;
  readonly skipped: number;
  /** Records rejected; each was handed to the listener's onRecord as it was read, so none is held here. */
  readonly rejected: number;
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

  const ordered = new TimeOrderedEvents();
  let records = 0;
  let skipped = 0;
  let rejected = 0;
  for await (const record of readInputs(paths)) {
    records += 1;
    listener.onRecord?.(record);
    if (record.outcome.kind === 'event') await ordered.add(record.outcome.event);
    else if (record.outcome.kind === 'skipped') skipped += 1;
    else rejected += 1;
  }
  const total = records - skipped - rejected;

  let pending: KmsEvent[] = [];
  let duplicates = 0;
  let writes = 0;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const result = await recordEvents(useCaseDeps, pending);
    duplicates += result.duplicates;
    writes += result.writes;
    pending = [];
  };

  let processed = 0;
  for await (const event of ordered.drain()) {
    const eventTime = new Date(event.eventTime);
    clock.set(eventTime < now ? eventTime : now);
    const targets = routeEvent(event);
    if (targets.includes('usage-tracker') || targets.includes('grant-tracker')) pending.push(event);
    if (targets.includes('deletion-guard')) {
      await flush();
      await guardDeletion(useCaseDeps, event);
    }
    if (targets.includes('policy-guard')) {
      await flush();
      await guardPolicy(useCaseDeps, event);
    }
    if (pending.length >= REPLAY_BATCH_SIZE) await flush();
    processed += 1;
    listener.onEventProcessed?.(processed, total);
  }
  await flush();

  clock.set(now);
  await sweepPendingDeletions(useCaseDeps);
  await expireGrants(useCaseDeps);

  return { records, events: total, skipped, rejected, duplicates, writes, decisions };
};
