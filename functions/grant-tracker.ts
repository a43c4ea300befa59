import { buildGrantTrackerHandler } from '../lib/handlers/grant-tracker.js';
import { productionRuntime } from '../lib/runtime.js';

export const handler = buildGrantTrackerHandler(productionRuntime());
