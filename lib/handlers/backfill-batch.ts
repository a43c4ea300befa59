/**
 * One child execution of the backfill's Distributed Map: a batch of listed objects (ItemBatcher), each item
 * {object: the ListObjectsV2 entry, plan} (ItemSelector). Records them and returns the batch result, which
 * ResultWriter keeps. Transient failures are thrown for Step Functions to retry; progress is checkpointed.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { backfillBatch } from '../backfill/backfill-batch.js';
import type { BackfillPlan } from '../backfill/backfill-plan.js';
import type { BatchResult } from '../backfill/batch-result.js';
import { BackfillInputError } from '../backfill/errors.js';
import type { BackfillLedger, TrailObjects } from '../backfill/ports.js';
import type { UsageStore } from '../domain/ports.js';

export interface BackfillBatchHandlerDeps {
  readonly objects: TrailObjects;
  readonly usage: UsageStore;
  readonly ledger: BackfillLedger;
  readonly logger: Logger;
  /** Stop between chunks when less than this is left of the invocation; the retry resumes. Default 90 s. */
  readonly safetyMarginMs?: number;
}

export const PlanSchema = z.object({
  runId: z.string().min(1),
  bucket: z.string().min(1),
  prefix: z.string(),
  since: z.string(),
  until: z.string(),
  accounts: z.array(z.string()),
  regions: z.array(z.string()),
  maxConcurrency: z.number(),
});

/** The ListObjectsV2 entry as the Map hands it over (Key, Etag, Size…); only Key is needed. */
const ListedObject = z.looseObject({ Key: z.string().min(1), Etag: z.string().optional(), ETag: z.string().optional(), Size: z.number().optional() });
const BatchEvent = z.object({ Items: z.array(z.object({ object: ListedObject, plan: PlanSchema })).min(1) });

export const buildBackfillBatchHandler = (deps: BackfillBatchHandlerDeps) =>
  middy(async (event: unknown, context: Context): Promise<BatchResult> => {
    const parsed = BatchEvent.safeParse(event);
    if (!parsed.success) throw new BackfillInputError(`backfill batch: ${z.prettifyError(parsed.error)}`);
    const { Items } = parsed.data;
    // Every item carries the same plan (the ItemSelector copies it into each).
    const plan: BackfillPlan = Items[0]?.plan as BackfillPlan;
    const objects = Items.map(({ object }) => {
      const etag = object.Etag ?? object.ETag;
      return { key: object.Key, ...(etag === undefined ? {} : { etag }), ...(object.Size === undefined ? {} : { size: object.Size }) };
    });
    const margin = deps.safetyMarginMs ?? 90_000;
    const result = await backfillBatch(
      {
        ...deps,
        outOfTime: () => context.getRemainingTimeInMillis() < margin,
        onRejected: (sample) => deps.logger.warn('record rejected', { ...sample }),
        onFailed: (sample) => deps.logger.error('object not recorded', { ...sample }),
      },
      plan,
      objects,
    );
    deps.logger.info('batch recorded', { runId: plan.runId, objects: objects.length, scopes: result.scopes, skippedObjects: result.skippedObjects });
    return result;
  }).use(injectLambdaContext(deps.logger, { clearState: true }));
