import { buildSweepPlannerHandler } from '../lib/handlers/sweep-planner.js';
import { plannerRuntime } from '../lib/wiring/sweep-planner.js';

export const handler = buildSweepPlannerHandler(plannerRuntime());
