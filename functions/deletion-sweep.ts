import { buildDeletionSweepHandler } from '../lib/handlers/deletion-sweep.js';
import { productionRuntime } from '../lib/runtime.js';

export const handler = buildDeletionSweepHandler(productionRuntime());
