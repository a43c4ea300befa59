import type { Context } from 'aws-lambda';
import { buildDisabledUseBatchHandler } from '../lib/handlers/disabled-use-batch.js';
import { buildPolicyGuardHandler } from '../lib/handlers/policy-guard.js';
import { isSqsBatch } from '../lib/handlers/sqs-batch.js';
import { policyGuardRuntime } from '../lib/wiring/policy-guard.js';

// EventBridge invokes it with one policy or disable event; the disabled-use queue with batches of failed calls.
const fromEventBridge = buildPolicyGuardHandler(policyGuardRuntime());
const fromQueue = buildDisabledUseBatchHandler(policyGuardRuntime());

export const handler = (input: unknown, context: Context) => (isSqsBatch(input) ? fromQueue(input, context) : fromEventBridge(input, context));
