import { backfillRuntime } from '../lib/backfill/runtime.js';
import { buildBackfillSummaryHandler } from '../lib/handlers/backfill-summary.js';

const runtime = backfillRuntime();

export const handler = buildBackfillSummaryHandler({ ...runtime, resultsPrefix: runtime.config.resultsPrefix });
