import { backfillRuntime } from '../lib/backfill/runtime.js';
import { buildBackfillBatchHandler } from '../lib/handlers/backfill-batch.js';

export const handler = buildBackfillBatchHandler(backfillRuntime());
