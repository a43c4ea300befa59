import { buildDeletionGuardHandler } from '../lib/handlers/deletion-guard.js';
import { productionRuntime } from '../lib/runtime.js';

export const handler = buildDeletionGuardHandler(productionRuntime());
