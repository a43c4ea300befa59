import { buildUsageTrackerHandler } from '../lib/handlers/usage-tracker.js';
import { trackerRuntime } from '../lib/wiring/tracker.js';

export const handler = buildUsageTrackerHandler(trackerRuntime());
