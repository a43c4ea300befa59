import { backfillRuntime } from '../lib/backfill/runtime.js';
import { buildBackfillPlanHandler } from '../lib/handlers/backfill-plan.js';

export const handler = buildBackfillPlanHandler(backfillRuntime());
