/**
 * The backfill's state machine run in-process, for tests and the bench: the plan step, then the Distributed
 * Map as configured in infra/constructs/backfill.ts (ItemReader: ListObjectsV2 of the plan's prefix through the
 * real S3 client, ItemSelector {object, plan}, ItemBatcher, Retry, ResultWriter JSONL with COMPACT outputs and a
 * manifest), then the summary step. Only what Step Functions itself does is emulated here.
 */
import type { Context } from 'aws-lambda';
import type { S3TrailObjects } from '../../lib/adapters/s3-trail-objects.js';
import type { BackfillPlan } from '../../lib/backfill/backfill-plan.js';
import type { BatchResult } from '../../lib/backfill/batch-result.js';
import type { FakeS3 } from './fake-s3-server.js';

export const RESULTS_BUCKET = 'kms-guard-backfill-results';

export interface LocalMapRunOptions {
  readonly s3: FakeS3;
  readonly listing: S3TrailObjects;
  readonly plan: BackfillPlan;
  readonly batchHandler: (event: unknown, context: Context) => Promise<BatchResult>;
  readonly objectsPerBatch?: number;
  /** Attempts per batch (the Retry of the batch task). Default 4. */
  readonly attempts?: number;
  /** Called after listing and before the first batch (an object deleted in between is "missing"). */
  readonly afterListing?: () => void;
  /** A fresh clock per invocation: the milliseconds left each time the handler looks. */
  readonly remainingMs?: () => () => number;
}

export interface LocalMapRun {
  readonly manifestKey: string;
  readonly batches: number;
  readonly attempts: number;
  readonly failedBatches: number;
}

export const lambdaContext = (remainingMs: () => number = () => 600_000): Context =>
  ({
    functionName: 'kms-guard-backfill-batch',
    awsRequestId: 'local',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:kms-guard-backfill-batch',
    getRemainingTimeInMillis: remainingMs,
  }) as unknown as Context;

export const runMapLocally = async (options: LocalMapRunOptions): Promise<LocalMapRun> => {
  const items = [];
  for await (const object of options.listing.list(options.plan.prefix)) {
    // ListObjectsV2 as the Map hands it over; the ItemSelector adds the plan.
    items.push({ object: { Key: object.key, Etag: object.etag, Size: object.size, StorageClass: 'STANDARD' }, plan: options.plan });
  }
  options.afterListing?.();
  const size = options.objectsPerBatch ?? 25;
  const succeeded: string[] = [];
  const failed: string[] = [];
  let attempts = 0;
  for (let start = 0; start < items.length; start += size) {
    const input = { Items: items.slice(start, start + size) };
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= (options.attempts ?? 4); attempt += 1) {
      attempts += 1;
      try {
        succeeded.push(JSON.stringify(await options.batchHandler(structuredClone(input), lambdaContext(options.remainingMs?.()))));
        lastError = undefined;
        break;
      } catch (error) {
        lastError = error as Error;
      }
    }
    if (lastError !== undefined) {
      if (process.env.KMS_GUARD_DEBUG_MAP === '1') process.stderr.write(`batch failed: ${lastError.stack ?? lastError.message}\n`);
      failed.push(JSON.stringify({ Status: 'FAILED', Error: lastError.name, Cause: lastError.message, Input: JSON.stringify(input), InputDetails: { Included: true } }));
    }
  }
  const prefix = `backfill/${options.plan.runId}/map-run`;
  const file = (status: string, lines: string[]) => {
    const key = `${prefix}/${status}_0.json`;
    options.s3.put(RESULTS_BUCKET, key, lines.map((line) => `${line}\n`).join(''));
    return [{ Key: key, Size: lines.length }];
  };
  const manifestKey = `${prefix}/manifest.json`;
  options.s3.put(
    RESULTS_BUCKET,
    manifestKey,
    JSON.stringify({
      DestinationBucket: RESULTS_BUCKET,
      MapRunArn: `arn:aws:states:us-east-1:111122223333:mapRun:kms-guard-backfill/Backfill:${options.plan.runId}`,
      ResultFiles: { SUCCEEDED: file('SUCCEEDED', succeeded), FAILED: failed.length === 0 ? [] : file('FAILED', failed), PENDING: [] },
    }),
  );
  return { manifestKey, batches: Math.ceil(items.length / size), attempts, failedBatches: failed.length };
};
