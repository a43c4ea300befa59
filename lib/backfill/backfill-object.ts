/**
 * Records one trail object: claims it in the ledger, streams its records through the ingest code and records
 * the events with the usage store in chunks, checkpointing after each chunk. A re-run finds it done; a retry
 * after a failure resumes after the last checkpoint, so at most the chunk in flight is recorded twice, and the
 * store's per-item eventID fingerprints (the newest 2,000 of a key-day) recognise it.
 */
import type { KmsEvent } from '../domain/kms-event.js';
import type { UsageStore } from '../domain/ports.js';
import { StoreWriteError } from '../errors.js';
import { readLogRecords } from '../ingest/records-stream.js';
import { recordEvents, touchesAny } from '../use-cases/record-events.js';
import { addCounts, ZERO_COUNTS, type Sample } from './batch-result.js';
import { BackfillRetryableError } from './errors.js';
import type { BackfillLedger, ObjectCounts, ObjectProgress, TrailObjectRef, TrailObjects } from './ports.js';

export interface BackfillObjectDeps {
  readonly objects: TrailObjects;
  readonly usage: UsageStore;
  readonly ledger: BackfillLedger;
  /** Events per record() call: one coalesced write per item per chunk. Default 1,000 (the usage tracker's batch). */
  readonly chunkEvents?: number;
  /** Records read without enough events to fill a chunk before progress is checkpointed anyway. Default 20,000. */
  readonly checkpointRecords?: number;
  /** In-process attempts at a chunk whose write failed (throttling past the SDK's retries). Default 3. */
  readonly chunkAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called between chunks: true when the invocation must stop (its time is nearly up). */
  readonly outOfTime?: () => boolean;
  readonly onRejected?: (sample: Sample) => void;
}

export type ObjectOutcome =
  | { readonly status: 'recorded'; readonly counts: ObjectCounts; readonly keys: ReadonlySet<string> }
  | { readonly status: 'already-recorded'; readonly counts: ObjectCounts; readonly runId: string }
  | { readonly status: 'skipped'; readonly reason: string };

export const backfillObject = async (deps: BackfillObjectDeps, object: TrailObjectRef, runId: string): Promise<ObjectOutcome> => {
  const claim = await deps.ledger.claim(object, runId);
  if (claim.kind === 'done') return { status: 'already-recorded', counts: claim.progress.counts, runId: claim.runId };
  if (claim.kind === 'busy') throw new BackfillRetryableError(`s3 object ${object.key} is being backfilled by run ${claim.runId}`);
  const source = `s3://${deps.objects.bucket}/${object.key}`;
  const body = await deps.objects.open(object.key);
  const chunkEvents = deps.chunkEvents ?? 1000;
  const checkpointRecords = deps.checkpointRecords ?? 20_000;
  let progress: ObjectProgress = claim.progress;
  let pending: KmsEvent[] = [];
  let pendingCounts: ObjectCounts = ZERO_COUNTS;
  let nextIndex = progress.recordsDone;
  let digest: string | undefined;
  const keys = new Set<string>();

  const flush = async (): Promise<void> => {
    const result = await recordChunk(deps, pending);
    pending.forEach((event) => event.keyArns.forEach((keyArn) => keys.add(keyArn)));
    const counts = addCounts(pendingCounts, { ...ZERO_COUNTS, recorded: result.recorded, duplicates: result.duplicates });
    progress = { recordsDone: nextIndex, counts: addCounts(progress.counts, counts) };
    pending = [];
    pendingCounts = ZERO_COUNTS;
  };

  for await (const { index, outcome } of readLogRecords(source, body)) {
    // Positions count from 1: records up to recordsDone were recorded by an earlier attempt.
    if (index !== undefined && index <= progress.recordsDone) continue;
    if (index === undefined && outcome.kind === 'skipped') {
      digest = outcome.reason;
      continue;
    }
    if (index !== undefined) nextIndex = index;
    const counted = { ...ZERO_COUNTS, records: index === undefined ? 0 : 1 };
    if (outcome.kind === 'event') {
      pending.push(outcome.event);
      pendingCounts = addCounts(pendingCounts, { ...counted, events: 1 });
    } else if (outcome.kind === 'skipped') pendingCounts = addCounts(pendingCounts, { ...counted, skipped: 1 });
    else {
      pendingCounts = addCounts(pendingCounts, { ...counted, rejected: 1 });
      deps.onRejected?.({ object: object.key, ...(index === undefined ? {} : { index }), reason: outcome.error.message });
    }
    if (pending.length >= chunkEvents || nextIndex - progress.recordsDone >= checkpointRecords) {
      await flush();
      await deps.ledger.checkpoint(object, runId, progress);
      if (deps.outOfTime?.() === true) throw new BackfillRetryableError(`out of time in s3 object ${object.key} after record ${nextIndex}`);
    }
  }
  await flush();
  await deps.ledger.complete(object, runId, progress);
  if (digest !== undefined && progress.counts.records === 0) return { status: 'skipped', reason: digest };
  return { status: 'recorded', counts: progress.counts, keys };
};

/**
 * One record() call. When some keys could not be written, their events are tried again in-process; events of
 * the keys that were written count as recorded (a retry would only find them as duplicates).
 */
const recordChunk = async (deps: BackfillObjectDeps, events: readonly KmsEvent[]): Promise<{ recorded: number; duplicates: number }> => {
  const attempts = deps.chunkAttempts ?? 3;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let remaining = events;
  let settled = 0;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const result = await recordEvents(deps, remaining);
      return { recorded: result.recorded + settled, duplicates: result.duplicates };
    } catch (error) {
      if (!(error instanceof StoreWriteError) || attempt >= attempts) {
        throw new BackfillRetryableError(`could not record ${remaining.length} events after ${attempt} attempts`, { cause: error });
      }
      const failedKeys = new Set(error.keyArns);
      const retried = remaining.filter((event) => touchesAny(event, failedKeys));
      settled += remaining.length - retried.length;
      remaining = retried;
      await sleep(Math.random() * 200 * 2 ** attempt);
    }
  }
};
