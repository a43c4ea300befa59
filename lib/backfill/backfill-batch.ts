/**
 * One batch of listed objects (one child execution of the Distributed Map): selects the log files the plan asks
 * for, records each, and reports per account and Region. An object that cannot be read (missing, denied) is a
 * failure of its scope, reported and not retried; anything transient is thrown, so Step Functions retries the
 * batch and the ledger skips what is done.
 */
import { ZERO_COUNTS, BatchResultBuilder, type BatchResult, type Sample } from './batch-result.js';
import type { BackfillPlan } from './backfill-plan.js';
import { backfillObject, type BackfillObjectDeps } from './backfill-object.js';
import { BackfillRetryableError, TrailObjectUnreadableError } from './errors.js';
import type { TrailObjectRef } from './ports.js';
import { selectObject } from './select-object.js';

export interface BackfillBatchDeps extends Omit<BackfillObjectDeps, 'onRejected'> {
  readonly onRejected?: (sample: Sample) => void;
  readonly onFailed?: (sample: Sample) => void;
}

export const backfillBatch = async (deps: BackfillBatchDeps, plan: BackfillPlan, objects: readonly TrailObjectRef[]): Promise<BatchResult> => {
  const result = new BatchResultBuilder(plan.runId);
  const objectDeps: BackfillObjectDeps = {
    ...deps,
    onRejected: (sample) => {
      result.reject(sample);
      deps.onRejected?.(sample);
    },
  };
  // Time is looked at only after real work, so every attempt gets further than the one before.
  let worked = false;
  for (const object of objects) {
    const selection = selectObject(plan, object.key);
    if (!selection.selected) {
      result.skip(selection.reason);
      continue;
    }
    if (worked && deps.outOfTime?.() === true) throw new BackfillRetryableError(`out of time before s3 object ${object.key}`);
    const { scope } = selection;
    try {
      const outcome = await backfillObject(objectDeps, object, plan.runId);
      worked ||= outcome.status !== 'already-recorded';
      if (outcome.status === 'skipped') result.skip(outcome.reason);
      else if (outcome.status === 'recorded' || outcome.runId === plan.runId) {
        result.addScope(scope, { recordedObjects: 1, alreadyRecordedObjects: 0, failedObjects: 0, counts: outcome.counts });
        if (outcome.status === 'recorded') result.addKeys(outcome.keys);
      } else {
        // Recorded by an earlier run: its counts are that run's, but a rejection then is still a hole now.
        result.addScope(scope, { recordedObjects: 0, alreadyRecordedObjects: 1, failedObjects: 0, counts: { ...ZERO_COUNTS, rejected: outcome.counts.rejected } });
      }
    } catch (error) {
      if (!(error instanceof TrailObjectUnreadableError)) throw error;
      const sample = { object: object.key, reason: error.reason };
      result.addScope(scope, { recordedObjects: 0, alreadyRecordedObjects: 0, failedObjects: 1, counts: ZERO_COUNTS });
      result.fail(sample);
      deps.onFailed?.(sample);
    }
  }
  return result.build();
};
