/**
 * Production wiring of the backfill functions, apart from lib/runtime.ts so that only they carry the S3 client.
 * DynamoDB uses the SDK's adaptive retry mode: on throttling it slows its own sending rate as well as backing
 * off, so a backfill yields to the table's capacity instead of hammering it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbBackfillLedger } from '../adapters/dynamodb-backfill-ledger.js';
import { DynamoDbCoverageStore } from '../adapters/dynamodb-coverage-store.js';
import { createDocumentClient } from '../adapters/dynamodb-table.js';
import { DynamoDbUsageStore } from '../adapters/dynamodb-usage-store.js';
import { S3BackfillResults } from '../adapters/s3-backfill-results.js';
import { S3TrailObjects } from '../adapters/s3-trail-objects.js';
import type { Clock } from '../domain/ports.js';
import { loadBackfillConfig } from './config.js';

const systemClock: Clock = { now: () => new Date() };

const build = () => {
  const config = loadBackfillConfig();
  const logger = new Logger({ serviceName: 'kms-guard-backfill' });
  const documents = createDocumentClient(new DynamoDBClient({ region: config.region, maxAttempts: 10, retryMode: 'adaptive' }));
  const s3 = new S3Client({ region: config.region, maxAttempts: 5 });
  return {
    config,
    logger,
    clock: systemClock,
    objects: new S3TrailObjects(s3, config.trailBucket),
    // The backfill records history; only its summary widens coverage, and only when nothing failed.
    usage: new DynamoDbUsageStore(documents, config.tableName, { keepsCoverage: false }),
    ledger: new DynamoDbBackfillLedger(documents, config.tableName, config.trailBucket, systemClock),
    coverage: new DynamoDbCoverageStore(documents, config.tableName),
    results: new S3BackfillResults(s3, config.resultsBucket),
  };
};

let runtime: ReturnType<typeof build> | undefined;

export type BackfillRuntime = ReturnType<typeof build>;

export const backfillRuntime = (): BackfillRuntime => {
  runtime ??= build();
  return runtime;
};
