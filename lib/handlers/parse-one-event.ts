/**
 * The input boundary of the Lambdas EventBridge invokes with one event: a malformed event is logged and thrown
 * (EventBridge retries, then dead-letters it with the reason); a valid non-KMS event is logged and skipped.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ParseOutcome } from '../ingest/parse-record.js';
import { parseRecord } from '../ingest/parse-record.js';

/** The event, or why it was skipped (some handlers report the reason). */
export type OneEventOutcome = Exclude<ParseOutcome, { readonly kind: 'rejected' }>;

/** @throws InvalidRecordError naming the EventBridge event id, when the event cannot be read. */
export const parseOneEvent = (input: unknown, logger: Pick<Logger, 'error' | 'warn'>): OneEventOutcome => {
  const outcome = parseRecord(input, `EventBridge event ${eventBridgeId(input)}`, undefined);
  if (outcome.kind === 'rejected') {
    logger.error('event rejected', { reason: outcome.error.message });
    throw outcome.error;
  }
  if (outcome.kind === 'skipped') logger.warn('event skipped', { reason: outcome.reason });
  return outcome;
};

const eventBridgeId = (input: unknown): string =>
  typeof input === 'object' && input !== null && 'id' in input && typeof input.id === 'string' ? input.id : '(no id)';
