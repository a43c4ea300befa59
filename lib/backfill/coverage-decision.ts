/**
 * Whether a backfill may say "every usage event of this account and Region from `since` on is recorded".
 * Only when nothing of the scope failed or was unreadable, some log file of it was read, and the range reaches
 * the live tracking that takes over from it (its watchedSince, at or before `until`): otherwise a gap would be
 * vouched for. Anything short of that leaves coverage as it was: fail closed.
 */
import type { BackfillPlan } from './backfill-plan.js';
import type { ScopeTotals } from './batch-result.js';

export interface ScopeEvidence {
  readonly scope: string;
  readonly totals: ScopeTotals | undefined;
  /** Batches holding objects of this scope that failed after their retries. */
  readonly failedBatches: number;
  /** What live tracking says today (CoverageStore.getCoverage). */
  readonly liveWatchedSince: string | undefined;
}

export type CoverageVerdict =
  | { readonly scope: string; readonly widen: true }
  | { readonly scope: string; readonly widen: false; readonly reason: string };

/** `runFailure`: a failure of the run that no scope can be cleared of (the Map failed, a result was unreadable). */
export const decideCoverage = (plan: BackfillPlan, evidence: ScopeEvidence, runFailure: string | undefined): CoverageVerdict => {
  const no = (reason: string): CoverageVerdict => ({ scope: evidence.scope, widen: false, reason });
  const { totals } = evidence;
  if (runFailure !== undefined) return no(runFailure);
  if (evidence.failedBatches > 0) return no(`${evidence.failedBatches} batch(es) of its objects failed after retries; run the backfill again`);
  if (totals === undefined || totals.recordedObjects + totals.alreadyRecordedObjects === 0) return no('no log file of the range was read');
  if (totals.failedObjects > 0) return no(`${totals.failedObjects} object(s) could not be read (missing, access denied or archived)`);
  if (totals.counts.rejected > 0) return no(`${totals.counts.rejected} record(s) could not be read (see the rejections)`);
  if (evidence.liveWatchedSince === undefined) {
    return no('the usage tracker has not recorded this account and Region yet, so nothing vouches for the time after the range; run the backfill again once it has');
  }
  if (evidence.liveWatchedSince > plan.until) {
    return no(`live tracking starts at ${evidence.liveWatchedSince}, after the range ends (${plan.until}): the gap is not recorded`);
  }
  return { scope: evidence.scope, widen: true };
};
