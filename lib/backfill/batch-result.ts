/**
 * What one batch reports (its child execution's output, kept by ResultWriter) and how batches add up. Sized for
 * Step Functions' 256 KB output: samples are capped, with a count of what was left out.
 */
import type { ObjectCounts } from './ports.js';

export interface ScopeTotals {
  /** Objects recorded now, recorded by an earlier run (ledger), or failed (missing, denied, broken). */
  readonly recordedObjects: number;
  readonly alreadyRecordedObjects: number;
  readonly failedObjects: number;
  readonly counts: ObjectCounts;
}

export interface Sample {
  readonly object: string;
  readonly index?: number;
  readonly reason: string;
}

export interface BatchResult {
  readonly runId: string;
  /** Per "account/region". */
  readonly scopes: Readonly<Record<string, ScopeTotals>>;
  /** Objects not read, by reason (digest and Insights files, outside the range…). */
  readonly skippedObjects: Readonly<Record<string, number>>;
  /** Distinct key ARNs of the recorded events, up to MAX_KEYS. */
  readonly keys: readonly string[];
  readonly keysOmitted: number;
  readonly failures: readonly Sample[];
  readonly failuresOmitted: number;
  readonly rejections: readonly Sample[];
  readonly rejectionsOmitted: number;
}

export const MAX_KEYS = 1000;
export const MAX_SAMPLES = 20;

export const ZERO_COUNTS: ObjectCounts = { records: 0, events: 0, recorded: 0, duplicates: 0, skipped: 0, rejected: 0 };
const ZERO_SCOPE: ScopeTotals = { recordedObjects: 0, alreadyRecordedObjects: 0, failedObjects: 0, counts: ZERO_COUNTS };

export const addCounts = (a: ObjectCounts, b: ObjectCounts): ObjectCounts => ({
  records: a.records + b.records,
  events: a.events + b.events,
  recorded: a.recorded + b.recorded,
  duplicates: a.duplicates + b.duplicates,
  skipped: a.skipped + b.skipped,
  rejected: a.rejected + b.rejected,
});

export const addScope = (a: ScopeTotals | undefined, b: ScopeTotals): ScopeTotals => {
  const base = a ?? ZERO_SCOPE;
  return {
    recordedObjects: base.recordedObjects + b.recordedObjects,
    alreadyRecordedObjects: base.alreadyRecordedObjects + b.alreadyRecordedObjects,
    failedObjects: base.failedObjects + b.failedObjects,
    counts: addCounts(base.counts, b.counts),
  };
};

/** Builds a batch result object by object. */
export class BatchResultBuilder {
  private readonly scopes: Record<string, ScopeTotals> = {};
  private readonly skipped: Record<string, number> = {};
  private readonly keys = new Set<string>();
  private keysOmitted = 0;
  private readonly failures = new Samples();
  private readonly rejections = new Samples();

  constructor(private readonly runId: string) {}

  addScope(scope: string, totals: ScopeTotals): void {
    this.scopes[scope] = addScope(this.scopes[scope], totals);
  }

  skip(reason: string): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }

  addKeys(keyArns: Iterable<string>): void {
    for (const keyArn of keyArns) {
      if (this.keys.has(keyArn)) continue;
      if (this.keys.size < MAX_KEYS) this.keys.add(keyArn);
      else this.keysOmitted += 1;
    }
  }

  fail(sample: Sample): void {
    this.failures.add(sample);
  }

  reject(sample: Sample): void {
    this.rejections.add(sample);
  }

  build(): BatchResult {
    return {
      runId: this.runId,
      scopes: this.scopes,
      skippedObjects: this.skipped,
      keys: [...this.keys].sort(),
      keysOmitted: this.keysOmitted,
      failures: this.failures.items,
      failuresOmitted: this.failures.omitted,
      rejections: this.rejections.items,
      rejectionsOmitted: this.rejections.omitted,
    };
  }
}

class Samples {
  readonly items: Sample[] = [];
  omitted = 0;
  add(sample: Sample): void {
    if (this.items.length < MAX_SAMPLES) this.items.push({ ...sample, reason: sample.reason.slice(0, 500) });
    else this.omitted += 1;
  }
}
