import { buildDeletionGuardHandler } from '../lib/handlers/deletion-guard.js';
import { guardRuntime } from '../lib/wiring/guard.js';

export const handler = buildDeletionGuardHandler(guardRuntime());
