import { buildGrantTrackerHandler } from '../lib/handlers/grant-tracker.js';
import { trackerRuntime } from '../lib/wiring/tracker.js';

export const handler = buildGrantTrackerHandler(trackerRuntime());
