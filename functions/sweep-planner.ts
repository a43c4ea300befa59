import { buildSweepPlannerHandler } from '../lib/handlers/sweep-planner.js';
import { plannerRuntime } from '../lib/wiring/sweeps.js';

export const handler = buildSweepPlannerHandler(plannerRuntime());
