/**
 * The usage tracker's Lambda, fed by SQS. The whole batch is parsed, then recorded in one call so the store
 * coalesces it (one write per key and day, not per message). Malformed messages and messages whose keys could
 * not be written come back as batchItemFailures: SQS redelivers them and, in the end, moves them to the DLQ.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { isReadOnlyEvent } from '../domain/coverage.js';
import type { KmsEvent } from '../domain/kms-event.js';
import type { UsageStore } from '../domain/ports.js';
import { InvalidRecordError, StoreWriteError } from '../errors.js';
import { parseSqsBody } from '../ingest/parse-record.js';
import { recordEvents, touchesAny } from '../use-cases/record-events.js';

export interface UsageTrackerDeps {
  readonly usage: UsageStore;
  readonly logger: Logger;
}

/** Only what we need of the SQS envelope; each body is validated by the ingest parser. */
const SqsEnvelope = z.object({ Records: z.array(z.looseObject({ messageId: z.string().min(1), body: z.unknown() })) });

export const buildUsageTrackerHandler = (deps: UsageTrackerDeps) => {
  const processor = new BatchProcessor(EventType.SQS);
  return middy(async (input: unknown, context: Context): Promise<SQSBatchResponse> => {
    const envelope = SqsEnvelope.safeParse(input);
    if (!envelope.success) throw new InvalidRecordError('SQS event', undefined, z.prettifyError(envelope.error), { cause: envelope.error });
    const failures = new Map<string, Error>();
    const accepted: { messageId: string; event: KmsEvent }[] = [];
    for (const { messageId, body } of envelope.data.Records) {
      const outcome = parseSqsBody(body, `SQS message ${messageId}`, undefined);
      if (outcome.kind === 'event') {
        accepted.push({ messageId, event: outcome.event });
        // Lost evidence of use could later allow a deletion: say so, with what the record held (retrying cannot help).
        if (outcome.event.unresolvedKey !== undefined) {
          deps.logger.warn('event names no key the guard can resolve: it records no use', {
            messageId,
            eventId: outcome.event.eventId,
            eventName: outcome.event.eventName,
            unresolvedKey: outcome.event.unresolvedKey,
          });
        }
      }
      else if (outcome.kind === 'skipped') deps.logger.debug('message skipped', { messageId, reason: outcome.reason });
      else {
        deps.logger.error('message rejected', { messageId, reason: outcome.error.message });
        failures.set(messageId, outcome.error);
      }
    }
    try {
      const events = accepted.map(({ event }) => event);
      const result = await recordEvents(deps, events);
      // readOnlyEvents feeds the heartbeat metric (infra/constructs/operational-alarms.ts): keep the name.
      const readOnlyEvents = events.filter(isReadOnlyEvent).length;
      deps.logger.info('batch recorded', { messages: envelope.data.Records.length, events: accepted.length, readOnlyEvents, ...result });
    } catch (error) {
      if (!(error instanceof StoreWriteError)) throw error;
      const failedKeys = new Set(error.keyArns);
      const failed = accepted.filter(({ event }) => touchesAny(event, failedKeys));
      deps.logger.error('events not recorded', { keyArns: error.keyArns, messageIds: failed.map(({ messageId }) => messageId), error });
      for (const { messageId } of failed) failures.set(messageId, error);
    }
    // Powertools reports the records whose handler throws as batchItemFailures.
    const reportFailure = async (record: SQSRecord) => {
      const failure = failures.get(record.messageId);
      if (failure !== undefined) throw failure;
    };
    return processPartialResponse(input as { Records: SQSRecord[] }, reportFailure, processor, { context, throwOnFullBatchFailure: false });
  }).use(injectLambdaContext(deps.logger, { clearState: true }));
};
