import { buildPolicyGuardHandler } from '../lib/handlers/policy-guard.js';
import { productionRuntime } from '../lib/runtime.js';

export const handler = buildPolicyGuardHandler(productionRuntime());
