import { buildGrantExpirerHandler } from '../lib/handlers/grant-expirer.js';
import { productionRuntime } from '../lib/runtime.js';

export const handler = buildGrantExpirerHandler(productionRuntime());
