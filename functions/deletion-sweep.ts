import { buildDeletionSweepHandler } from '../lib/handlers/deletion-sweep.js';
import { guardRuntime } from '../lib/wiring/guard.js';

export const handler = buildDeletionSweepHandler(guardRuntime());
