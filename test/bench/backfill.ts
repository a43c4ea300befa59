/**
 * The backfill's per-batch Lambda measured against DynamoDB Local: one invocation of the real handler over a
 * batch of gzipped log files served by the local S3 endpoint, as the Distributed Map hands them over. Files hold
 * a realistic trail: 70% KMS calls over Zipf-distributed keys of one account and Region, 30% other services.
 * Only the invocation is timed, not generating the files.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbBackfillLedger } from '../../lib/adapters/dynamodb-backfill-ledger.js';
import { createDocumentClient, createTable } from '../../lib/adapters/dynamodb-table.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { S3TrailObjects } from '../../lib/adapters/s3-trail-objects.js';
import { planBackfill } from '../../lib/backfill/backfill-plan.js';
import type { UsageStore } from '../../lib/domain/ports.js';
import { buildBackfillBatchHandler } from '../../lib/handlers/backfill-batch.js';
import { readLogRecords } from '../../lib/ingest/records-stream.js';
import { startFakeS3 } from '../support/fake-s3-server.js';
import { lambdaContext } from '../support/local-map-run.js';
import { kmsRecord, logFile, logFileKey, s3Record, trailKeyArn } from '../support/trail-records.js';
import { seededRandom } from './synthetic-stream.js';

export interface BackfillBenchOptions {
  readonly endpoint: string;
  readonly objects: number;
  readonly recordsPerObject: number;
  readonly keys: number;
  readonly seed: number;
}

export interface BackfillFigures {
  readonly objects: number;
  readonly records: number;
  readonly events: number;
  readonly seconds: number;
  readonly recordsPerSec: number;
  /** Usage-store writes (one per item per chunk) and record() calls (chunks of up to 1,000 events). */
  readonly writes: number;
  readonly chunks: number;
  readonly eventsPerSec: number;
  readonly gzippedMb: number;
  /** The stream reader's high-water mark over the largest object, and that object's size unzipped. */
  readonly readerHeldKb: number;
  readonly largestObjectMb: number;
}

const OPERATIONS = ['Decrypt', 'Decrypt', 'Decrypt', 'GenerateDataKey', 'Encrypt'];

export const measureBackfill = async (options: BackfillBenchOptions): Promise<BackfillFigures> => {
  const random = seededRandom(options.seed);
  const keys = Array.from({ length: options.keys }, (_, index) => trailKeyArn(`bench-${index}`));
  // Zipf s = 1.1 by inverse weights: a few hot keys take most calls.
  const weights = keys.map((_, rank) => 1 / (rank + 1) ** 1.1);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const pickKey = () => {
    let target = random() * total;
    for (let index = 0; index < weights.length; index += 1) {
      target -= weights[index] ?? 0;
      if (target <= 0) return keys[index] ?? '';
    }
    return keys[0] ?? '';
  };
  const s3 = await startFakeS3();
  const bucket = 'bench-trail';
  let gzipped = 0;
  let largest = { key: '', bytes: 0 };
  for (let object = 0; object < options.objects; object += 1) {
    const hour = String(object % 24).padStart(2, '0');
    const records = Array.from({ length: options.recordsPerObject }, (_, index) => {
      const at = `2026-05-01T${hour}:${String(Math.floor((index / options.recordsPerObject) * 60)).padStart(2, '0')}:00Z`;
      const label = `bench-${options.seed}-${object}-${index}`;
      return random() < 0.7 ? kmsRecord(OPERATIONS[Math.floor(random() * OPERATIONS.length)] ?? 'Decrypt', pickKey(), at, label) : s3Record(at, label);
    });
    const body = logFile(records);
    const key = logFileKey(`2026-05-01T${hour}:05`, `bench${object}`);
    s3.put(bucket, key, body);
    gzipped += body.length;
    const raw = JSON.stringify({ Records: records }).length;
    if (raw > largest.bytes) largest = { key, bytes: raw };
  }

  const client = new DynamoDBClient({ endpoint: options.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, maxAttempts: 10, retryMode: 'adaptive' });
  const documents = createDocumentClient(client);
  const tableName = await createTable(documents, `kms-guard-bench-backfill-${randomUUID()}`);
  const objects = new S3TrailObjects(s3.client(), bucket);
  try {
    const clock = { now: () => new Date() };
    const store = new DynamoDbUsageStore(documents, tableName);
    let writes = 0;
    let chunks = 0;
    const usage: UsageStore = {
      record: async (events) => {
        const result = await store.record(events);
        writes += result.writes;
        chunks += 1;
        return result;
      },
      getKey: (keyArn) => store.getKey(keyArn),
      getUsage: (keyArn) => store.getUsage(keyArn),
      listKeyArns: () => store.listKeyArns(),
      getCoverage: (accountId, region) => store.getCoverage(accountId, region),
      listKeysPendingDeletion: () => store.listKeysPendingDeletion(),
    };
    const handler = buildBackfillBatchHandler({
      objects,
      usage,
      ledger: new DynamoDbBackfillLedger(documents, tableName, bucket, clock),
      logger: new Logger({ serviceName: 'kms-guard-bench', logLevel: 'SILENT' }),
    });
    const plan = planBackfill({ since: '2026-04-01' }, { runId: 'bench', startedAt: '2026-11-29T12:00:00Z', bucket, prefix: '', defaultConcurrency: 40 });
    const items = [];
    for await (const object of objects.list('')) items.push({ object: { Key: object.key, Etag: object.etag, Size: object.size }, plan });
    const started = performance.now();
    const result = await handler({ Items: items }, lambdaContext(() => 900_000));
    const seconds = (performance.now() - started) / 1000;
    const totals = Object.values(result.scopes).reduce((sum, scope) => ({ records: sum.records + scope.counts.records, events: sum.events + scope.counts.events }), { records: 0, events: 0 });

    const stats = { maxBufferedBytes: 0 };
    for await (const record of readLogRecords(largest.key, await objects.open(largest.key), { stats })) void record;
    return {
      objects: options.objects,
      ...totals,
      seconds,
      recordsPerSec: Math.round(totals.records / seconds),
      writes,
      chunks,
      eventsPerSec: Math.round(totals.events / seconds),
      gzippedMb: Math.round((gzipped / 1024 / 1024) * 10) / 10,
      readerHeldKb: Math.round((stats.maxBufferedBytes / 1024) * 10) / 10,
      largestObjectMb: Math.round((largest.bytes / 1024 / 1024) * 10) / 10,
    };
  } finally {
    client.destroy();
    await s3.close();
  }
};
