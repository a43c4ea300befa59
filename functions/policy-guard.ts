import { buildPolicyGuardHandler } from '../lib/handlers/policy-guard.js';
import { policyGuardRuntime } from '../lib/wiring/policy-guard.js';

export const handler = buildPolicyGuardHandler(policyGuardRuntime());
