/**
 * How the replay shares its memory budget (one process: the main thread, the reader threads, the store). Reading
 * and replaying are two phases: the reader threads are gone before the merge starts, so each phase may use most of
 * the budget. A reader streams a log file a record at a time (lib/ingest/records-stream.ts), so its heap holds one
 * record, its sorted run and the parser's garbage; the budget caps how many readers run at once.
 */
export interface MemoryShares {
  /** Reader threads that fit the budget (at most the number asked for). */
  readonly jobs: number;
  /** Serialized events a reader thread holds before writing a sorted run. */
  readonly runBytesPerWorker: number;
  /** Each reader thread's V8 old generation, in MB: V8 collects garbage before it grows past this. */
  readonly workerHeapMb: number;
  /** Usage held by the coalescer before the keys holding the most are written. */
  readonly heldUsageBytes: number;
}

const MB = 1024 * 1024;
/** The least heap a reader gets: one record (at most 8 MiB), its sorted run and the garbage of parsing. */
const MIN_WORKER_HEAP_MB = 64;
/** Of the budget, while reading: the reader threads' heaps. */
const READING_SHARE = 0.375;

export const memoryShares = (budgetMb: number, requestedJobs: number): MemoryShares => {
  const jobs = Math.max(1, Math.min(requestedJobs, Math.floor((budgetMb * READING_SHARE) / MIN_WORKER_HEAP_MB)));
  return {
    jobs,
    runBytesPerWorker: Math.max(4 * MB, Math.floor((budgetMb * MB * 0.04) / jobs)),
    workerHeapMb: Math.max(MIN_WORKER_HEAP_MB, Math.floor((budgetMb * READING_SHARE) / jobs)),
    heldUsageBytes: Math.max(8 * MB, Math.floor(budgetMb * MB * 0.07)),
  };
};

/**
 * Usage buckets the in-memory store keeps in memory, counted as DynamoDB counts item sizes (their heap is about twice
 * that); the rest goes to its spill file (memory-table.ts).
 */
export const storeResidentBytes = (budgetMb: number): number => Math.max(16 * MB, Math.floor(budgetMb * MB * 0.08));
