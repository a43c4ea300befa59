import { buildUsageTrackerHandler } from '../lib/handlers/usage-tracker.js';
import { productionRuntime } from '../lib/runtime.js';

export const handler = buildUsageTrackerHandler(productionRuntime());
