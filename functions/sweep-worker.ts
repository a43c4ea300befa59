import { buildSweepWorkerHandler } from '../lib/handlers/sweep-worker.js';
import { workerRuntime } from '../lib/wiring/sweeps.js';

export const handler = buildSweepWorkerHandler(workerRuntime());
