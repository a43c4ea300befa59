/**
 * What the backfill needs from the outside: the trail's objects, a ledger of the objects it has recorded, and
 * the Map run's results. Kept beside the use case (the guard's own ports are in lib/domain/ports.ts).
 */
import type { BatchResult } from './batch-result.js';

/** An object as the Distributed Map lists it (ListObjectsV2: Key, Etag, Size). */
export interface TrailObjectRef {
  readonly key: string;
  readonly etag?: string;
  readonly size?: number;
}

export interface TrailObjects {
  readonly bucket: string;
  /** The object's bytes as they arrive; throws TrailObjectUnreadableError when it is missing or denied. */
  open(key: string): Promise<AsyncIterable<Uint8Array>>;
}

/** Per object, summed over the attempts that recorded it. */
export interface ObjectCounts {
  /** Records read (each index once, across attempts). */
  readonly records: number;
  /** KMS events among them. */
  readonly events: number;
  /** Events new to the store, and events it had already. */
  readonly recorded: number;
  readonly duplicates: number;
  /** Records that are not KMS events (other services, Insights). */
  readonly skipped: number;
  /** Records, or the document, that could not be read: each named in the batch result and the log. */
  readonly rejected: number;
}

export interface ObjectProgress {
  /** Records 0 … recordsDone-1 are recorded (or counted): a resumed attempt starts after them. */
  readonly recordsDone: number;
  readonly counts: ObjectCounts;
}

export type ObjectClaim =
  | { readonly kind: 'claimed'; readonly progress: ObjectProgress }
  | { readonly kind: 'done'; readonly progress: ObjectProgress; readonly runId: string }
  | { readonly kind: 'busy'; readonly runId: string };

/**
 * Which objects are recorded, so a re-run skips them whatever the store's dedupe window, and how far an
 * interrupted one got. An object is held by one run at a time (a lease); the same run may take it back.
 */
export interface BackfillLedger {
  claim(object: TrailObjectRef, runId: string): Promise<ObjectClaim>;
  /** Throws BackfillRetryableError when another run took the object over. */
  checkpoint(object: TrailObjectRef, runId: string, progress: ObjectProgress): Promise<void>;
  complete(object: TrailObjectRef, runId: string, progress: ObjectProgress): Promise<void>;
}

/** The Map run's results, as ResultWriter left them (a manifest and JSON Lines files). */
export interface BackfillResults {
  /** Each batch's output, and each failed batch's error and input. */
  read(manifestKey: string): AsyncGenerator<{ readonly status: 'SUCCEEDED'; readonly output: BatchResult } | FailedBatch>;
  writeSummary(key: string, summary: unknown): Promise<string>;
}

export interface FailedBatch {
  readonly status: 'FAILED' | 'PENDING';
  readonly error: string;
  readonly cause: string;
  /** The batch's object keys, when the failed execution's input was kept. */
  readonly keys: readonly string[] | undefined;
}
