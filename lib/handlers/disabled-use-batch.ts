/**
 * The policy guard fed by SQS: the UseWhileDisabled route buffers calls failing because their key is disabled, and
 * Lambda hands them over in batches at capped concurrency, so a flood costs a few executions. The batch is recorded
 * in one call (the store coalesces it: one write per key and day, not per call), then each key is evaluated once.
 * Malformed messages, messages whose keys could not be recorded, and the messages of a key whose evaluation threw
 * come back as batchItemFailures (SQS redelivers them, then dead-letters them); none is dropped.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { subjectKeyArn } from '../domain/alerts/alert-decision.js';
import { isDisabledFailure } from '../domain/alerts/disable-watch.js';
import type { KmsEvent } from '../domain/kms-event.js';
import { InvalidRecordError, StoreWriteError } from '../errors.js';
import { parseSqsBody } from '../ingest/parse-record.js';
import { guardDisabledUses, guardPolicy, type GuardPolicyDeps } from '../use-cases/guard-policy.js';
import { touchesAny } from '../use-cases/record-events.js';
import type { PolicyGuardDeps } from './policy-guard.js';

const SqsEnvelope = z.object({ Records: z.array(z.looseObject({ messageId: z.string().min(1), body: z.unknown() })) });

interface Accepted {
  readonly messageId: string;
  readonly event: KmsEvent;
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

export const buildDisabledUseBatchHandler = (deps: PolicyGuardDeps) => {
  const processor = new BatchProcessor(EventType.SQS);
  const useCaseDeps: GuardPolicyDeps = { ...deps, mode: deps.config.mode, policy: deps.config.policy };
  return middy(async (input: unknown, context: Context): Promise<SQSBatchResponse> => {
    const envelope = SqsEnvelope.safeParse(input);
    if (!envelope.success) throw new InvalidRecordError('SQS event', undefined, z.prettifyError(envelope.error), { cause: envelope.error });
    const failures = new Map<string, Error>();
    let accepted: Accepted[] = [];
    for (const { messageId, body } of envelope.data.Records) {
      const outcome = parseSqsBody(body, `SQS message ${messageId}`, undefined);
      if (outcome.kind === 'event') accepted.push({ messageId, event: outcome.event });
      else if (outcome.kind === 'rejected') {
        deps.logger.error('message rejected', { messageId, reason: outcome.error.message });
        failures.set(messageId, outcome.error);
      }
    }
    try {
      await deps.usage.record(accepted.map(({ event }) => event));
    } catch (error) {
      if (!(error instanceof StoreWriteError)) throw error;
      const failedKeys = new Set(error.keyArns);
      deps.logger.error('events not recorded', { keyArns: error.keyArns, error });
      for (const item of accepted) if (touchesAny(item.event, failedKeys)) failures.set(item.messageId, error);
      accepted = accepted.filter(({ messageId }) => !failures.has(messageId));
    }
    const byKey = new Map<string, Accepted[]>();
    const others: Accepted[] = [];
    for (const item of accepted) {
      if (!isDisabledFailure(item.event)) others.push(item);
      else byKey.set(subjectKeyArn(item.event), [...(byKey.get(subjectKeyArn(item.event)) ?? []), item]);
    }
    const evaluate = async (items: readonly Accepted[], run: () => Promise<unknown>): Promise<void> => {
      try {
        await run();
      } catch (error) {
        deps.logger.error('evaluation failed: its messages are retried', { messages: items.length, error });
        for (const { messageId } of items) failures.set(messageId, asError(error));
      }
    };
    for (const [keyArn, items] of byKey) await evaluate(items, () => guardDisabledUses(useCaseDeps, keyArn, items.map(({ event }) => event)));
    for (const item of others) await evaluate([item], () => guardPolicy(useCaseDeps, item.event));
    deps.logger.info('batch evaluated', { messages: envelope.data.Records.length, keys: byKey.size, others: others.length, failed: failures.size });
    const reportFailure = async (record: SQSRecord) => {
      const failure = failures.get(record.messageId);
      if (failure !== undefined) throw failure;
    };
    return processPartialResponse(input as { Records: SQSRecord[] }, reportFailure, processor, { context, throwOnFullBatchFailure: false });
  }).use(injectLambdaContext(deps.logger, { clearState: true }));
};
