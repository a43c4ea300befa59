import type { Context } from 'aws-lambda';
import { buildDeletionGuardHandler } from '../lib/handlers/deletion-guard.js';
import { buildPendingUseBatchHandler } from '../lib/handlers/pending-use-batch.js';
import { isSqsBatch } from '../lib/handlers/sqs-batch.js';
import { deletionGuardRuntime } from '../lib/wiring/deletion-guard.js';

// EventBridge invokes it with a ScheduleKeyDeletion; the pending-use queue with batches of failed calls.
const fromEventBridge = buildDeletionGuardHandler(deletionGuardRuntime());
const fromQueue = buildPendingUseBatchHandler(deletionGuardRuntime());

export const handler = (input: unknown, context: Context) => (isSqsBatch(input) ? fromQueue(input, context) : fromEventBridge(input, context));
