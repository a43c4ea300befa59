import { buildGrantExpirerHandler } from '../lib/handlers/grant-expirer.js';
import { guardRuntime } from '../lib/wiring/guard.js';

export const handler = buildGrantExpirerHandler(guardRuntime());
