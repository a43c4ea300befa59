/**
 * The last step: adds up the batch results the Map run wrote, decides per account and Region whether coverage
 * may be widened to the start of the range (coverage-decision.ts), widens it, and writes the summary: objects,
 * records, keys, failures and what was vouched for.
 */
import type { CoverageStore } from '../domain/ports.js';
import { addCounts, addScope, MAX_SAMPLES, ZERO_COUNTS, type Sample, type ScopeTotals } from './batch-result.js';
import type { BackfillPlan } from './backfill-plan.js';
import { decideCoverage, type CoverageVerdict } from './coverage-decision.js';
import type { BackfillResults } from './ports.js';
import { selectObject } from './select-object.js';
import { parseScope } from './trail-object-key.js';

export type MapOutcome =
  | { readonly kind: 'written'; readonly manifestKey: string }
  | { readonly kind: 'failed'; readonly error: string; readonly cause: string };

export interface SummarizeDeps {
  readonly results: BackfillResults;
  readonly coverage: CoverageStore;
  readonly summaryKey: (plan: BackfillPlan) => string;
}

export interface BackfillSummary {
  readonly runId: string;
  readonly since: string;
  readonly until: string;
  readonly prefix: string;
  /** True when every account and Region read was widened to `since`. */
  readonly complete: boolean;
  readonly objects: { readonly recorded: number; readonly alreadyRecorded: number; readonly failed: number; readonly skipped: Readonly<Record<string, number>> };
  readonly records: typeof ZERO_COUNTS;
  /** Distinct keys whose events were recorded; `keysAtLeast` when some batch listed only part of its keys. */
  readonly keys: number;
  readonly keysAtLeast: boolean;
  readonly failedBatches: number;
  readonly coverage: readonly (CoverageVerdict & { readonly watchedSince?: string })[];
  readonly failures: readonly Sample[];
  readonly rejections: readonly Sample[];
  readonly summaryUri?: string;
}

export const summarizeBackfill = async (deps: SummarizeDeps, plan: BackfillPlan, map: MapOutcome): Promise<BackfillSummary> => {
  const scopes = new Map<string, ScopeTotals>();
  const failedBatchesByScope = new Map<string, number>();
  const skipped: Record<string, number> = {};
  const keys = new Set<string>();
  let keysAtLeast = false;
  const failures: Sample[] = [];
  const rejections: Sample[] = [];
  let failedBatches = 0;
  let unattributed = 0;
  const sample = (into: Sample[], items: readonly Sample[]) => into.push(...items.slice(0, MAX_SAMPLES - into.length));

  if (map.kind === 'written') {
    for await (const entry of deps.results.read(map.manifestKey)) {
      if (entry.status === 'SUCCEEDED') {
        const { output } = entry;
        for (const [scope, totals] of Object.entries(output.scopes)) scopes.set(scope, addScope(scopes.get(scope), totals));
        for (const [reason, count] of Object.entries(output.skippedObjects)) skipped[reason] = (skipped[reason] ?? 0) + count;
        output.keys.forEach((key) => keys.add(key));
        keysAtLeast ||= output.keysOmitted > 0;
        sample(failures, output.failures);
        sample(rejections, output.rejections);
        continue;
      }
      failedBatches += 1;
      sample(failures, [{ object: entry.keys?.[0] ?? '(unknown batch)', reason: `batch ${entry.status.toLowerCase()}: ${entry.error}: ${entry.cause}`.slice(0, 500) }]);
      if (entry.keys === undefined) unattributed += 1;
      const batchScopes = new Set((entry.keys ?? []).flatMap((key) => {
        const selection = selectObject(plan, key);
        return selection.selected ? [selection.scope] : [];
      }));
      for (const scope of batchScopes) failedBatchesByScope.set(scope, (failedBatchesByScope.get(scope) ?? 0) + 1);
    }
  }

  const runFailure =
    map.kind === 'failed'
      ? `the Map run failed (${map.error}: ${map.cause.slice(0, 200)})`
      : unattributed > 0
        ? `${unattributed} failed batch(es) could not be attributed to an account and Region`
        : undefined;
  const coverage = [];
  for (const scope of [...new Set([...scopes.keys(), ...failedBatchesByScope.keys()])].sort()) {
    const parsed = parseScope(scope);
    if (parsed === undefined) continue;
    const live = await deps.coverage.getCoverage(parsed.accountId, parsed.region);
    const verdict = decideCoverage(plan, { scope, totals: scopes.get(scope), failedBatches: failedBatchesByScope.get(scope) ?? 0, liveWatchedSince: live?.watchedSince }, runFailure);
    if (verdict.widen) await deps.coverage.widenWatchedSince(parsed.accountId, parsed.region, plan.since);
    coverage.push(verdict.widen ? { ...verdict, watchedSince: plan.since } : verdict);
  }

  const totals = [...scopes.values()];
  const summary: BackfillSummary = {
    runId: plan.runId,
    since: plan.since,
    until: plan.until,
    prefix: plan.prefix,
    complete: runFailure === undefined && coverage.length > 0 && coverage.every((verdict) => verdict.widen),
    objects: {
      recorded: totals.reduce((sum, scope) => sum + scope.recordedObjects, 0),
      alreadyRecorded: totals.reduce((sum, scope) => sum + scope.alreadyRecordedObjects, 0),
      failed: totals.reduce((sum, scope) => sum + scope.failedObjects, 0),
      skipped,
    },
    records: totals.reduce((sum, scope) => addCounts(sum, scope.counts), ZERO_COUNTS),
    keys: keys.size,
    keysAtLeast,
    failedBatches,
    coverage,
    failures,
    rejections,
  };
  const summaryUri = await deps.results.writeSummary(deps.summaryKey(plan), summary);
  return { ...summary, summaryUri };
};
