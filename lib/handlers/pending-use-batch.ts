/**
 * The deletion guard fed by SQS: the UseWhilePendingDeletion route buffers calls failing on a key pending deletion,
 * and Lambda hands them over in batches (at most a few at once, the event source's maximumConcurrency), so a flood
 * of failed calls costs a few executions, not one per call. The failures of a batch on the same key are collapsed
 * into one evaluation (every distinct caller kept as evidence, within budget); a key whose evaluation throws fails
 * all its messages (batchItemFailures: SQS redelivers them, then dead-letters them), malformed messages fail alone.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { collapseFailures } from '../domain/deletion/collapse-failures.js';
import type { KmsEvent } from '../domain/kms-event.js';
import { InvalidRecordError, KmsGuardError } from '../errors.js';
import { parseSqsBody } from '../ingest/parse-record.js';
import { deletionTriggerOf, guardDeletion, PENDING_STATES, triggerKeyArn } from '../use-cases/guard-deletion.js';
import type { DeletionGuardDeps } from './deletion-guard.js';

/** Time an evaluation may need (the repair's wait for the store, 25 s, and its KMS calls). */
export const EVALUATION_RESERVE_MS = 30_000;

/** Not evaluated in this invocation for lack of time: the message is returned to SQS and retried. */
export class EvaluationDeferredError extends KmsGuardError {
  constructor(readonly reserveMs: number) {
    super(`less than ${reserveMs} ms left in the invocation: evaluation deferred to a redelivery`);
  }
}

const SqsEnvelope = z.object({ Records: z.array(z.looseObject({ messageId: z.string().min(1), body: z.unknown() })) });

interface Accepted {
  readonly messageId: string;
  readonly event: KmsEvent;
}

/**
 * A flood's later batches are mostly failures from before the key was cancelled: one DescribeKey answers them, not
 * the whole evidence. True only when KMS says the key is no longer pending; any doubt (no KMS, an error) evaluates.
 */
const noLongerPending = async (deps: DeletionGuardDeps, keyArn: string): Promise<boolean> => {
  try {
    const directory = deps.keyDirectoryFor?.(keyArn);
    return directory !== undefined && !PENDING_STATES.has(await directory.keyState(keyArn));
  } catch {
    return false;
  }
};

export const buildPendingUseBatchHandler = (deps: DeletionGuardDeps) => {
  const processor = new BatchProcessor(EventType.SQS);
  const useCaseDeps = { ...deps, mode: deps.config.mode, policy: deps.config.policy };
  return middy(async (input: unknown, context: Context): Promise<SQSBatchResponse> => {
    const envelope = SqsEnvelope.safeParse(input);
    if (!envelope.success) throw new InvalidRecordError('SQS event', undefined, z.prettifyError(envelope.error), { cause: envelope.error });
    deps.evidenceBudget?.reset();
    const failures = new Map<string, Error>();
    const groups = new Map<string, Accepted[]>();
    let ignored = 0;
    for (const { messageId, body } of envelope.data.Records) {
      const outcome = parseSqsBody(body, `SQS message ${messageId}`, undefined);
      if (outcome.kind === 'rejected') {
        deps.logger.error('message rejected', { messageId, reason: outcome.error.message });
        failures.set(messageId, outcome.error);
        continue;
      }
      if (outcome.kind === 'skipped' || deletionTriggerOf(outcome.event).kind === 'ignored') {
        ignored += 1;
        continue;
      }
      const { event } = outcome;
      const keyArn = triggerKeyArn(event);
      if (keyArn === undefined) {
        const error = new InvalidRecordError(`SQS message ${messageId}`, undefined, `event ${event.eventId} (${event.eventName}) names no key ARN`);
        deps.logger.error('message rejected', { messageId, reason: error.message });
        failures.set(messageId, error);
        continue;
      }
      // A scheduling is its own decision (keyed on its eventID); failures on one key are one evaluation.
      const group = event.eventName === 'ScheduleKeyDeletion' ? `schedule#${event.eventId}` : `pending-use#${keyArn}`;
      groups.set(group, [...(groups.get(group) ?? []), { messageId, event }]);
    }
    let deferred = 0;
    let notPending = 0;
    for (const accepted of groups.values()) {
      // An evaluation may wait for the store before EnableKey (repair-key.ts): never start one the timeout could cut short.
      if (context.getRemainingTimeInMillis() < EVALUATION_RESERVE_MS) {
        const error = new EvaluationDeferredError(EVALUATION_RESERVE_MS);
        for (const { messageId } of accepted) failures.set(messageId, error);
        deferred += accepted.length;
        continue;
      }
      const { representative, failure } = collapseFailures(accepted.map(({ event }) => event));
      const keyArn = triggerKeyArn(representative);
      if (representative.eventName !== 'ScheduleKeyDeletion' && keyArn !== undefined && (await noLongerPending(deps, keyArn))) {
        notPending += accepted.length;
        continue;
      }
      try {
        const decisions = await guardDeletion(useCaseDeps, representative, representative.eventName === 'ScheduleKeyDeletion' ? undefined : failure);
        for (const decision of decisions) {
          deps.logger.info('decision', { keyArn, decisionId: decision.decisionId, action: decision.action, reasons: decision.reasons, failedCalls: accepted.length });
        }
      } catch (error) {
        deps.logger.error('evaluation failed: its messages are retried', { keyArn, messages: accepted.length, error });
        for (const { messageId } of accepted) failures.set(messageId, error instanceof Error ? error : new Error(String(error)));
      }
    }
    deps.logger.info('batch evaluated', {
      messages: envelope.data.Records.length,
      evaluations: groups.size,
      ignored,
      deferred,
      notPending,
      failed: failures.size,
      ...(deps.evidenceBudget === undefined ? {} : { kmsEvidenceCalls: deps.evidenceBudget.used }),
    });
    const reportFailure = async (record: SQSRecord) => {
      const failure = failures.get(record.messageId);
      if (failure !== undefined) throw failure;
    };
    return processPartialResponse(input as { Records: SQSRecord[] }, reportFailure, processor, { context, throwOnFullBatchFailure: false });
  }).use(injectLambdaContext(deps.logger, { clearState: true }));
};
