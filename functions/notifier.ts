import { buildNotifierHandler } from '../lib/handlers/notifier.js';
import { notifierRuntime } from '../lib/wiring/notifier.js';

export const handler = buildNotifierHandler(notifierRuntime());
