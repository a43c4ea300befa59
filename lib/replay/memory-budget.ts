/**
 * How the replay shares its memory budget (the whole process: main thread, reader threads, store). The shares are
 * of what the replay itself holds; the rest is the runtime (each thread's V8 heap and code, the store's items).
 */
export interface MemoryShares {
  /** Serialized events a reader thread holds before writing a sorted run. */
  readonly runBytesPerWorker: number;
  /** Usage held by the coalescer before the keys holding the most are written. */
  readonly heldUsageBytes: number;
}

const MB = 1024 * 1024;

export const memoryShares = (budgetMb: number, jobs: number): MemoryShares => ({
  runBytesPerWorker: Math.max(4 * MB, Math.floor((budgetMb * MB * 0.12) / Math.max(1, jobs))),
  heldUsageBytes: Math.max(8 * MB, Math.floor(budgetMb * MB * 0.2)),
});
