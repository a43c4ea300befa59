/**
 * The backfill end to end on this machine: the trail bucket on the local S3 endpoint (real SDK client), the
 * guard's table on DynamoDB Local, the state machine's Map emulated by test/support/local-map-run.ts, and the
 * three handlers as the Lambdas run them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbBackfillLedger } from '../../lib/adapters/dynamodb-backfill-ledger.js';
import { DynamoDbCoverageStore } from '../../lib/adapters/dynamodb-coverage-store.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { S3BackfillResults } from '../../lib/adapters/s3-backfill-results.js';
import { S3TrailObjects } from '../../lib/adapters/s3-trail-objects.js';
import { planBackfill, type BackfillPlan } from '../../lib/backfill/backfill-plan.js';
import type { BatchResult } from '../../lib/backfill/batch-result.js';
import type { UsageStore } from '../../lib/domain/ports.js';
import { StoreWriteError } from '../../lib/errors.js';
import { readInputs } from '../../lib/ingest/read-inputs.js';
import { buildBackfillBatchHandler } from '../../lib/handlers/backfill-batch.js';
import { buildBackfillSummaryHandler } from '../../lib/handlers/backfill-summary.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';
import { startFakeS3, type FakeS3 } from '../support/fake-s3-server.js';
import { repoRoot } from '../support/fixtures.js';
import { RESULTS_BUCKET, runMapLocally } from '../support/local-map-run.js';
import { TRAIL_ACCOUNT, TRAIL_REGION, digestFile, insightsFile, kmsRecord, logFile, logFileKey, s3Record, trailKeyArn } from '../support/trail-records.js';

const client = dynamoTestClient();
const logger = new Logger({ serviceName: 'kms-guard-test', logLevel: 'SILENT' });
const clock = { now: () => new Date('2026-11-29T12:00:00Z') };
let s3: FakeS3;
let bucketCount = 0;

beforeAll(async () => {
  s3 = await startFakeS3({ pageSize: 7 });
});
afterAll(() => s3.close());

const HOT_KEY = trailKeyArn('hot');
const COLD_KEY = trailKeyArn('cold');

/** A day of one hot key (2,600 uses: more than a bucket's 2,000 fingerprints), lifecycle and grants, in 4 files. */
const hotDay = (): { key: string; body: Buffer }[] => {
  const files: { key: string; body: Buffer }[] = [];
  for (let file = 0; file < 4; file += 1) {
    const records: unknown[] = [];
    for (let index = 0; index < 650; index += 1) {
      const minute = String(Math.floor(index / 12) % 60).padStart(2, '0');
      records.push(kmsRecord(index % 5 === 0 ? 'GenerateDataKey' : 'Decrypt', HOT_KEY, `2026-05-01T${String(file * 5 + 1).padStart(2, '0')}:${minute}:00Z`, `hot-${file}-${index}`));
      if (index % 50 === 0) records.push(s3Record(`2026-05-01T0${file}:00:00Z`, `s3-${file}-${index}`));
    }
    records.push(kmsRecord('TagResource', COLD_KEY, `2026-05-01T0${file}:30:00Z`, `tag-${file}`, { requestParameters: { keyId: COLD_KEY, tags: [{ tagKey: 'team', tagValue: `t${file}` }] } }));
    records.push(kmsRecord('CreateGrant', COLD_KEY, `2026-05-01T0${file}:31:00Z`, `grant-${file}`, {
      requestParameters: { keyId: COLD_KEY, granteePrincipal: `arn:aws:iam::${TRAIL_ACCOUNT}:role/app`, operations: ['Decrypt'] },
      responseElements: { grantId: `grant-${file}`, keyId: COLD_KEY },
    }));
    files.push({ key: logFileKey(`2026-05-01T${String(file * 5 + 2).padStart(2, '0')}:05`, `hot${file}`), body: logFile(records) });
  }
  return files;
};

interface World {
  readonly bucket: string;
  readonly table: string;
  readonly usage: DynamoDbUsageStore;
  readonly coverage: DynamoDbCoverageStore;
  plan(input?: Record<string, unknown>, runId?: string): BackfillPlan;
  run(plan: BackfillPlan, options?: { usage?: UsageStore; afterListing?: () => void; remainingMs?: () => () => number; objectsPerBatch?: number; attempts?: number }): Promise<{ results: BatchResult[]; failedBatches: number; manifestKey: string; attempts: number }>;
  summarize(plan: BackfillPlan, manifestKey: string): Promise<Record<string, unknown>>;
  items(): Promise<Record<string, unknown>[]>;
}

const newWorld = async (files: readonly { key: string; body: Buffer }[]): Promise<World> => {
  bucketCount += 1;
  const bucket = `org-trail-${bucketCount}`;
  for (const file of files) s3.put(bucket, file.key, file.body, { kmsKeyId: `arn:aws:kms:${TRAIL_REGION}:${TRAIL_ACCOUNT}:key/trail` });
  const table = await createTestTable(client);
  // As the backfill's runtime builds it: recording history does not move coverage.
  const usage = new DynamoDbUsageStore(client, table, { keepsCoverage: false });
  const coverage = new DynamoDbCoverageStore(client, table);
  const objects = new S3TrailObjects(s3.client(), bucket);
  const results = new S3BackfillResults(s3.client(), RESULTS_BUCKET);
  return {
    bucket,
    table,
    usage,
    coverage,
    plan: (input = { since: '2026-04-01' }, runId = `run-${bucketCount}`) =>
      planBackfill(input, { runId, startedAt: clock.now().toISOString(), bucket, prefix: '', defaultConcurrency: 40 }),
    run: async (plan, options = {}) => {
      const handler = buildBackfillBatchHandler({ objects, usage: options.usage ?? usage, ledger: new DynamoDbBackfillLedger(client, table, bucket, clock), logger });
      const batchResults: BatchResult[] = [];
      const run = await runMapLocally({
        s3,
        listing: objects,
        plan,
        objectsPerBatch: options.objectsPerBatch ?? 5,
        ...(options.attempts === undefined ? {} : { attempts: options.attempts }),
        batchHandler: async (event, context) => {
          const result = await handler(event, context);
          batchResults.push(result);
          return result;
        },
        ...(options.afterListing === undefined ? {} : { afterListing: options.afterListing }),
        ...(options.remainingMs === undefined ? {} : { remainingMs: options.remainingMs }),
      });
      return { results: batchResults, failedBatches: run.failedBatches, manifestKey: run.manifestKey, attempts: run.attempts };
    },
    summarize: async (plan, manifestKey) =>
      (await buildBackfillSummaryHandler({ results, coverage, resultsPrefix: 'backfill', logger })(
        { plan, map: { MapRunArn: 'arn', ResultWriterDetails: { Bucket: RESULTS_BUCKET, Key: manifestKey } } },
        {} as never,
      )) as Record<string, unknown>,
    items: async () => {
      const { Items = [] } = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
      return Items.filter((item) => String(item.pk).startsWith('KEY#'))
        .map(({ version: _version, ...item }) => item)
        .sort((a, b) => `${String(a.pk)}|${String(a.sk)}`.localeCompare(`${String(b.pk)}|${String(b.sk)}`));
    },
  };
};

/** The same records, recorded the way the usage tracker records a batch: through DynamoDbUsageStore.record. */
const referenceItems = async (files: readonly { key: string; body: Buffer }[], batch = 1000): Promise<Record<string, unknown>[]> => {
  const reference = await newWorld([]);
  const { mkdtempSync, writeFileSync, mkdirSync } = await import('node:fs');
  const dir = mkdtempSync(path.join((await import('node:os')).tmpdir(), 'kms-guard-backfill-ref-'));
  for (const file of [...files].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)))) {
    const target = path.join(dir, file.key);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.body);
  }
  let events = [];
  for await (const record of readInputs([dir])) {
    if (record.outcome.kind !== 'event') continue;
    events.push(record.outcome.event);
    if (events.length >= batch) {
      await reference.usage.record(events);
      events = [];
    }
  }
  if (events.length > 0) await reference.usage.record(events);
  return reference.items();
};

/** The scenario histories under events/scenarios/AWSLogs, with their S3 keys. */
const scenarioFiles = (): { key: string; body: Buffer }[] => {
  const root = path.join(repoRoot, 'events/scenarios');
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const full = path.join(dir, entry);
      return statSync(full).isDirectory() ? walk(full) : [full];
    });
  return walk(path.join(root, 'AWSLogs')).map((file) => ({ key: path.relative(root, file).split(path.sep).join('/'), body: readFileSync(file) }));
};

const totalOf = (results: readonly BatchResult[], field: 'recordedObjects' | 'alreadyRecordedObjects' | 'failedObjects') =>
  results.reduce((sum, result) => sum + Object.values(result.scopes).reduce((inner, scope) => inner + scope[field], 0), 0);

describe('backfilling the trail archive', () => {
  it('records every log file (gzipped or not, across listing pages) as the usage tracker records the same records', async () => {
    const files = scenarioFiles();
    const world = await newWorld(files);

    const { results, failedBatches } = await world.run(world.plan({ since: '2025-01-01' }));

    expect(files.length).toBeGreaterThan(50);
    expect(failedBatches).toBe(0);
    expect(totalOf(results, 'recordedObjects')).toBe(files.length);
    expect(s3.calls.filter((call) => call.operation === 'ListObjectsV2' && call.bucket === world.bucket).length).toBeGreaterThan(5);
    const items = await world.items();
    expect(items.length).toBeGreaterThan(20);
    expect(items).toEqual(await referenceItems(files));
  });

  it('skips digest and Insights files, names a missing and a denied object, and records the rest', async () => {
    const good = hotDay().slice(0, 2);
    const gone = { key: logFileKey('2026-05-02T03:05', 'gone'), body: logFile([kmsRecord('Decrypt', COLD_KEY, '2026-05-02T03:00:00Z', 'gone')]) };
    const denied = { key: logFileKey('2026-05-02T04:05', 'denied'), body: logFile([kmsRecord('Decrypt', COLD_KEY, '2026-05-02T04:00:00Z', 'denied')]) };
    const world = await newWorld([...good, gone, denied, digestFile(), insightsFile()]);
    s3.deny(world.bucket, denied.key);

    const plan = world.plan();
    const { results, manifestKey } = await world.run(plan, { afterListing: () => s3.delete(world.bucket, gone.key) });

    const failures = results.flatMap((result) => result.failures);
    expect(failures.map((failure) => [failure.object, failure.reason.split(' ')[0]])).toEqual(
      expect.arrayContaining([[gone.key, 'missing'], [denied.key, 'access']]),
    );
    const skipped = results.reduce<Record<string, number>>((all, result) => {
      for (const [reason, count] of Object.entries(result.skippedObjects)) all[reason] = (all[reason] ?? 0) + count;
      return all;
    }, {});
    expect(skipped).toEqual({ 'digest file': 1, 'Insights file': 1 });
    expect(totalOf(results, 'recordedObjects')).toBe(2);
    expect(await world.items()).toEqual(await referenceItems(good));

    await world.coverage.widenWatchedSince(TRAIL_ACCOUNT, TRAIL_REGION, '2026-11-01T00:00:00.000Z');
    const summary = await world.summarize(plan, manifestKey);
    expect(summary).toMatchObject({ complete: false, objects: { recorded: 2, failed: 2 }, notWidenedScopes: 1 });
    expect(JSON.stringify(summary.notWidened)).toContain('2 object(s) could not be read');
    expect((await world.coverage.getCoverage(TRAIL_ACCOUNT, TRAIL_REGION))?.watchedSince).toBe('2026-11-01T00:00:00.000Z');
  });

  it('changes nothing when the same objects are backfilled again, even for a key-day past the store\'s dedupe window', async () => {
    const world = await newWorld(hotDay());
    await world.run(world.plan({ since: '2026-04-01' }, 'first'));
    const once = await world.items();

    const again = await world.run(world.plan({ since: '2026-04-01' }, 'second'));

    expect(await world.items()).toEqual(once);
    expect(totalOf(again.results, 'alreadyRecordedObjects')).toBe(4);
    expect((await world.usage.getUsage(HOT_KEY)).useCount).toBe(2600);
  });

  it('gives the clean table after a crash between a chunk\'s writes and its checkpoint, resuming where it stopped', async () => {
    // One object of 3,200 uses of the hot key: its first chunks leave the bucket's window of 2,000 fingerprints.
    const big = Array.from({ length: 3200 }, (_, index) => kmsRecord('Decrypt', HOT_KEY, `2026-05-02T10:${String(index % 60).padStart(2, '0')}:00Z`, `big-${index}`));
    const files = [...hotDay().slice(0, 1), { key: logFileKey('2026-05-02T11:05', 'big'), body: logFile(big) }];
    const world = await newWorld(files);
    let calls = 0;
    // Writes the chunk, then fails as a Lambda killed before it checkpoints would.
    const crashing: UsageStore = Object.assign(Object.create(world.usage) as UsageStore, {
      record: async (events: Parameters<UsageStore['record']>[0]) => {
        const result = await world.usage.record(events);
        calls += 1;
        if (calls === 4) throw new Error('Lambda timed out');
        return result;
      },
    });

    const { failedBatches, attempts } = await world.run(world.plan(), { usage: crashing, objectsPerBatch: 2 });

    expect(failedBatches).toBe(0);
    expect(attempts).toBe(2);
    expect((await world.usage.getUsage(HOT_KEY)).useCount).toBe(650 + 3200);
    expect(await world.items()).toEqual(await referenceItems(files));
  });

  it('retries a chunk whose keys could not be written, and stops between chunks when time runs out', async () => {
    const files = hotDay();
    const world = await newWorld(files);
    let calls = 0;
    // As the store fails: the other keys' items are written, the hot key's are not, and the error names it.
    const flaky: UsageStore = Object.assign(Object.create(world.usage) as UsageStore, {
      record: async (events: Parameters<UsageStore['record']>[0]) => {
        calls += 1;
        if (calls % 3 !== 1) return world.usage.record(events);
        await world.usage.record(events.filter((event) => !event.keyArns.includes(HOT_KEY)));
        throw new StoreWriteError([HOT_KEY]);
      },
    });
    // Each invocation has time for three looks at the clock before it is under the safety margin.
    const invocation = () => {
      let left = 400_000;
      return () => (left -= 100_000);
    };

    const { failedBatches, attempts } = await world.run(world.plan(), { usage: flaky, attempts: 10, remainingMs: invocation });

    expect(failedBatches).toBe(0);
    expect(attempts).toBeGreaterThan(1);
    expect(await world.items()).toEqual(await referenceItems(files));
  });

  it('widens the account and Region to the start of the range when the run read everything and live tracking follows it', async () => {
    const world = await newWorld(hotDay());
    await world.coverage.widenWatchedSince(TRAIL_ACCOUNT, TRAIL_REGION, '2026-11-20T08:00:00.000Z');
    const plan = world.plan({ since: '2026-04-01' });

    const { manifestKey } = await world.run(plan);
    const summary = await world.summarize(plan, manifestKey);

    expect(summary).toMatchObject({ complete: true, widenedScopes: 1, objects: { recorded: 4, failed: 0 }, keys: 2, records: { events: 2608, rejected: 0 } });
    expect((await world.coverage.getCoverage(TRAIL_ACCOUNT, TRAIL_REGION))?.watchedSince).toBe('2026-04-01T00:00:00.000Z');
    expect(JSON.parse(s3.get(RESULTS_BUCKET, `backfill/${plan.runId}/summary.json`)?.body.toString('utf8') ?? '{}')).toMatchObject({ complete: true, keys: 2 });
  });

  it('does not widen an account and Region that live tracking has not reached, nor one with an unreadable record', async () => {
    const broken = { key: logFileKey('2026-05-03T01:05', 'broken', TRAIL_ACCOUNT, 'eu-west-1'), body: gzipSync('{"Records":[{"eventID": oops}]}') };
    const world = await newWorld([...hotDay().slice(0, 1), broken]);
    await world.coverage.widenWatchedSince(TRAIL_ACCOUNT, 'eu-west-1', '2026-11-20T08:00:00.000Z');
    const plan = world.plan({ since: '2026-04-01' });

    const { manifestKey, results } = await world.run(plan);
    const summary = await world.summarize(plan, manifestKey);

    expect(results.flatMap((result) => result.rejections).map((rejection) => [rejection.object, rejection.index])).toEqual([[broken.key, 1]]);
    expect(summary).toMatchObject({ complete: false, widenedScopes: 0, notWidenedScopes: 2 });
    expect(JSON.stringify(summary.notWidened)).toMatch(/has not recorded this account and Region yet/);
    expect(JSON.stringify(summary.notWidened)).toMatch(/1 record\(s\) could not be read/);
    expect(await world.coverage.getCoverage(TRAIL_ACCOUNT, TRAIL_REGION)).toBeUndefined();
    expect((await world.coverage.getCoverage(TRAIL_ACCOUNT, 'eu-west-1'))?.watchedSince).toBe('2026-11-20T08:00:00.000Z');
  });

  it('leaves an object another run holds to that run, and reads only the requested accounts, Regions and days', async () => {
    const files = hotDay();
    const other = { key: logFileKey('2026-05-01T09:05', 'other', '444455556666'), body: logFile([kmsRecord('Decrypt', trailKeyArn('x', '444455556666'), '2026-05-01T09:00:00Z', 'x', { account: '444455556666' })]) };
    const old = { key: logFileKey('2026-03-30T09:05', 'old'), body: logFile([kmsRecord('Decrypt', COLD_KEY, '2026-03-30T09:00:00Z', 'old')]) };
    const world = await newWorld([...files, other, old]);
    const ledger = new DynamoDbBackfillLedger(client, world.table, world.bucket, clock);
    await ledger.claim({ key: files[0]?.key ?? '', etag: s3.get(world.bucket, files[0]?.key ?? '')?.etag ?? '' }, 'someone-else');

    const { results, failedBatches } = await world.run(world.plan({ since: '2026-04-01', accounts: [TRAIL_ACCOUNT] }), { objectsPerBatch: 10 });

    expect(failedBatches).toBe(1);
    expect(results).toHaveLength(0);
    const retried = await world.run(world.plan({ since: '2026-04-01', accounts: TRAIL_ACCOUNT }), { objectsPerBatch: 1 });
    const skipped = retried.results.map((result) => result.skippedObjects);
    expect(skipped).toEqual(expect.arrayContaining([{ 'account or Region not requested': 1 }, { 'outside the range': 1 }]));
    expect(totalOf(retried.results, 'recordedObjects')).toBe(3);
  });
});
