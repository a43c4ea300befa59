/**
 * The sweep worker, fed by the FIFO work queue. Each message is one work item, swept until a minute before the
 * invocation's timeout; the rest is queued as a continuation. A failed item, and every later item of the batch
 * (FIFO order within a group), comes back as a batch item failure: SQS retries it, then dead-letters it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import * as z from 'zod';
import type { SweepWorkItem } from '../domain/sweeps/work-item.js';
import { InvalidRecordError } from '../errors.js';
import { sweepWorkItem, type SweepWorkDeps } from '../use-cases/sweep-work-item.js';

export interface SweepWorkerDeps extends SweepWorkDeps {
  readonly logger: Logger;
  /** Stop this long before the timeout (default 60 s): time to queue the continuation and return. */
  readonly marginMs?: number;
}

const WorkItem = z.object({
  kind: z.enum(['deletion-sweep', 'grant-sweep']),
  accountId: z.string().regex(/^\d{12}$/),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/),
  plannedAt: z.iso.datetime(),
  scope: z.enum(['known-grants', 'all-keys']).optional(),
  marker: z.string().min(1).max(1024).optional(),
  offset: z.number().int().min(0).max(1000).optional(),
  part: z.number().int().min(0),
});

const SqsEvent = z.object({ Records: z.array(z.looseObject({ messageId: z.string().min(1), body: z.string() })) });

export const parseWorkItem = (body: string, source: string): SweepWorkItem => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new InvalidRecordError(source, undefined, 'body is not JSON', { cause: error });
  }
  const parsed = WorkItem.safeParse(json);
  if (!parsed.success) throw new InvalidRecordError(source, undefined, z.prettifyError(parsed.error), { cause: parsed.error });
  const { scope, marker, offset, ...rest } = parsed.data;
  return { ...rest, ...(scope === undefined ? {} : { scope }), ...(marker === undefined ? {} : { marker }), ...(offset === undefined ? {} : { offset }) };
};

export const buildSweepWorkerHandler = (deps: SweepWorkerDeps) =>
  middy(async (input: unknown, context: Context): Promise<SQSBatchResponse> => {
    const event = SqsEvent.safeParse(input);
    if (!event.success) throw new InvalidRecordError('SQS event', undefined, z.prettifyError(event.error), { cause: event.error });
    const failed: string[] = [];
    for (const { messageId, body } of event.data.Records) {
      if (failed.length > 0) {
        failed.push(messageId);
        continue;
      }
      try {
        const item = parseWorkItem(body, `SQS message ${messageId}`);
        const deadline = new Date(deps.clock.now().getTime() + context.getRemainingTimeInMillis() - (deps.marginMs ?? 60_000));
        const outcome = await sweepWorkItem(deps, item, deadline);
        deps.logger.info(outcome.superseded === true ? 'sweep work item superseded' : 'sweep work item done', {
          messageId,
          kind: item.kind,
          accountId: item.accountId,
          region: item.region,
          plannedAt: item.plannedAt,
          // From the hourly plan to the end of this part: on an item's last part, how long its sweep took (the sweep-lag alarm).
          secondsSincePlanned: Math.round((deps.clock.now().getTime() - Date.parse(item.plannedAt)) / 1000),
          part: item.part,
          keysSwept: outcome.keysSwept,
          decisions: outcome.decisions,
          continues: outcome.continuation !== undefined,
        });
      } catch (error) {
        deps.logger.error('sweep work item failed', { messageId, error: error as Error });
        failed.push(messageId);
      }
    }
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  }).use(injectLambdaContext(deps.logger, { clearState: true }));
