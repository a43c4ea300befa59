/**
 * The backfill's last step: Step Functions passes the plan and the Map's outcome (ResultWriterDetails, or the
 * error it was caught with). Widens coverage where the run vouches for it and writes the summary next to the
 * Map's results; returns a compact copy as the execution's output.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { BackfillInputError } from '../backfill/errors.js';
import type { BackfillResults } from '../backfill/ports.js';
import { summarizeBackfill, type BackfillSummary, type MapOutcome } from '../backfill/summarize-backfill.js';
import type { CoverageStore } from '../domain/ports.js';
import { PlanSchema } from './backfill-batch.js';

export interface BackfillSummaryDeps {
  readonly results: BackfillResults;
  readonly coverage: CoverageStore;
  readonly resultsPrefix: string;
  readonly logger: Logger;
}

const Event = z.object({
  plan: PlanSchema,
  map: z.object({ ResultWriterDetails: z.object({ Bucket: z.string(), Key: z.string() }) }).optional(),
  mapError: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

/** How many not-widened scopes the execution output lists (the summary file has them all). */
const OUTPUT_SCOPES = 50;

export const buildBackfillSummaryHandler = (deps: BackfillSummaryDeps) =>
  middy(async (event: unknown) => {
    const parsed = Event.safeParse(event);
    if (!parsed.success) throw new BackfillInputError(`backfill summary: ${z.prettifyError(parsed.error)}`);
    const { plan, map, mapError } = parsed.data;
    const outcome: MapOutcome =
      map !== undefined
        ? { kind: 'written', manifestKey: map.ResultWriterDetails.Key }
        : { kind: 'failed', error: mapError?.Error ?? 'MapFailed', cause: mapError?.Cause ?? 'the Map state ended without results' };
    const summary = await summarizeBackfill(
      { results: deps.results, coverage: deps.coverage, summaryKey: (run) => `${deps.resultsPrefix}/${run.runId}/summary.json` },
      plan,
      outcome,
    );
    deps.logger.info('backfill summarized', { ...compact(summary) });
    return compact(summary);
  }).use(injectLambdaContext(deps.logger, { clearState: true }));

/** The summary within Step Functions' 256 KB output: counts, and the first scopes that were not widened. */
export const compact = (summary: BackfillSummary) => {
  const { coverage, ...rest } = summary;
  const notWidened = coverage.filter((verdict) => !verdict.widen);
  return {
    ...rest,
    widenedScopes: coverage.length - notWidened.length,
    notWidenedScopes: notWidened.length,
    notWidened: notWidened.slice(0, OUTPUT_SCOPES),
  };
};
