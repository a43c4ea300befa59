import { buildNotifierHandler } from '../lib/handlers/notifier.js';
import { productionRuntime } from '../lib/runtime.js';

export const handler = buildNotifierHandler(productionRuntime());
