/**
 * Generated interleavings of backfill batches and faults (fast-check model-based): batches of any objects, by
 * two runs, meeting store errors or crashing after a chunk's writes, with leases expiring or not in between; then
 * one clean run to the end. Invariants, even for a key-day past the store's 2,000 fingerprints:
 * - without crashes, the table is the table of one clean pass (but for which 2,000 fingerprints a bucket keeps);
 * - with crashes, everything but the day buckets' use counts is that table, and the counts are never lower and at
 *   most the crashed chunks' events higher (a crashed chunk is applied again; its fingerprints may have left the
 *   bucket's window by then: docs/backfill.md).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbBackfillLedger } from '../../lib/adapters/dynamodb-backfill-ledger.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { S3TrailObjects } from '../../lib/adapters/s3-trail-objects.js';
import { planBackfill } from '../../lib/backfill/backfill-plan.js';
import type { UsageStore } from '../../lib/domain/ports.js';
import { StoreWriteError } from '../../lib/errors.js';
import { buildBackfillBatchHandler } from '../../lib/handlers/backfill-batch.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';
import { startFakeS3, type FakeS3 } from '../support/fake-s3-server.js';
import { lambdaContext } from '../support/local-map-run.js';
import { kmsRecord, logFile, logFileKey, trailKeyArn } from '../support/trail-records.js';

const client = dynamoTestClient();
const logger = new Logger({ serviceName: 'kms-guard-test', logLevel: 'SILENT' });
const BUCKET = 'fault-trail';
const HOT = trailKeyArn('fault-hot');
const OTHER = trailKeyArn('fault-other');
let s3: FakeS3;
let keys: { key: string; etag: string }[];
let reference: Record<string, unknown>[];

const minute = (index: number) => String(index % 60).padStart(2, '0');
const OBJECTS = [
  // 2,600 uses of one key-day in one object: three chunks, the first out of the fingerprint window by the third.
  Array.from({ length: 2600 }, (_, index) => kmsRecord('Decrypt', HOT, `2026-05-01T10:${minute(index)}:00Z`, `f-big-${index}`)),
  Array.from({ length: 400 }, (_, index) => kmsRecord(index % 2 === 0 ? 'Encrypt' : 'Decrypt', HOT, `2026-05-01T11:${minute(index)}:00Z`, `f-a-${index}`)),
  [
    ...Array.from({ length: 300 }, (_, index) => kmsRecord('Decrypt', OTHER, `2026-05-01T12:${minute(index)}:00Z`, `f-b-${index}`)),
    kmsRecord('DisableKey', OTHER, '2026-05-01T12:30:00Z', 'f-disable'),
    kmsRecord('CreateGrant', OTHER, '2026-05-01T12:31:00Z', 'f-grant', { requestParameters: { keyId: OTHER, granteePrincipal: 'arn:aws:iam::111122223333:role/app', operations: ['Decrypt'] }, responseElements: { grantId: 'g-f', keyId: OTHER } }),
  ],
];

type Fault = { readonly kind: 'none' } | { readonly kind: 'crash-after-write' | 'store-error'; readonly atCall: number };

interface Real {
  readonly table: string;
  readonly usage: DynamoDbUsageStore;
  now: number;
}

/** A day bucket without its fingerprint ring: a dedupe cache whose newest 2,000 depend on the order of arrival. */
const withoutRing = (item: Record<string, unknown>) => {
  if (!String(item.sk).startsWith('DAY#')) return item;
  const { seen: _seen, ...data } = item.data as Record<string, unknown>;
  return { ...item, data };
};

/** A day bucket without its counters and fingerprints: what must match exactly even after crashes. */
const withoutCounts = (item: Record<string, unknown>) => {
  if (!String(item.sk).startsWith('DAY#')) return item;
  const data = item.data as { counts: Record<string, number>; callers: Record<string, { count: number }>; failures: Record<string, { count: number }>; seen: unknown };
  const { seen: _seen, ...rest } = data;
  const uncounted = <T extends { count: number }>(entries: Record<string, T>) => Object.fromEntries(Object.entries(entries).map(([id, { count: _count, ...entry }]) => [id, entry]));
  return { ...item, data: { ...rest, counts: Object.keys(data.counts).sort(), callers: uncounted(data.callers), failures: uncounted(data.failures) } };
};

const useCount = (items: readonly Record<string, unknown>[]) =>
  items.reduce((sum, item) => sum + (String(item.sk).startsWith('DAY#') ? Object.values((item.data as { counts: Record<string, number> }).counts).reduce((a, b) => a + b, 0) : 0), 0);

const itemsOf = async (table: string) => {
  const { Items = [] } = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  return Items.filter((item) => String(item.pk).startsWith('KEY#'))
    .map(({ version: _version, ...item }) => item)
    .sort((a, b) => `${String(a.pk)}|${String(a.sk)}`.localeCompare(`${String(b.pk)}|${String(b.sk)}`));
};

/** One invocation of the batch handler over `objects` by `runId`, with the store failing as `fault` says. */
const runBatch = async (real: Real, objects: readonly number[], runId: string, fault: Fault): Promise<void> => {
  let calls = 0;
  const faulty: UsageStore = Object.assign(Object.create(real.usage) as UsageStore, {
    record: async (events: Parameters<UsageStore['record']>[0]) => {
      calls += 1;
      if (fault.kind === 'store-error' && calls === fault.atCall) {
        await real.usage.record(events.filter((event) => !event.keyArns.includes(HOT)));
        throw new StoreWriteError([HOT]);
      }
      const result = await real.usage.record(events);
      if (fault.kind === 'crash-after-write' && calls === fault.atCall) throw new Error('Lambda timed out');
      return result;
    },
  });
  const clock = { now: () => new Date(real.now) };
  const handler = buildBackfillBatchHandler({
    objects: new S3TrailObjects(s3.client(), BUCKET),
    usage: faulty,
    ledger: new DynamoDbBackfillLedger(client, real.table, BUCKET, clock),
    logger,
  });
  const plan = planBackfill({ since: '2026-04-01' }, { runId, startedAt: '2026-11-29T12:00:00.000Z', bucket: BUCKET, prefix: '', defaultConcurrency: 40 });
  const items = objects.map((index) => ({ object: { Key: keys[index]?.key ?? '', Etag: keys[index]?.etag }, plan }));
  await handler({ Items: items }, lambdaContext()).catch(() => undefined);
};

/** Runs A to the end, as Step Functions' retries would: attempts until nothing is left, leases expiring between. */
const complete = async (real: Real): Promise<void> => {
  for (let attempt = 0; attempt < 6; attempt += 1) {
    real.now += 30 * 60_000;
    await runBatch(real, [0, 1, 2], 'A', { kind: 'none' });
  }
};

class BatchCommand implements fc.AsyncCommand<object, Real> {
  constructor(
    readonly objects: readonly number[],
    readonly runId: string,
    readonly fault: Fault,
    readonly leasesExpire: boolean,
  ) {}
  check = () => true;
  async run(_model: object, real: Real): Promise<void> {
    await runBatch(real, this.objects, this.runId, this.fault);
    if (this.leasesExpire) real.now += 30 * 60_000;
  }
  toString = () => `batch(${this.objects.join(',')} by ${this.runId}, ${this.fault.kind === 'none' ? 'no fault' : `${this.fault.kind}@${this.fault.atCall}`}${this.leasesExpire ? ', leases expire' : ''})`;
}

const newReal = async (): Promise<Real> => {
  const table = await createTestTable(client);
  return { table, usage: new DynamoDbUsageStore(client, table, { keepsCoverage: false }), now: Date.parse('2026-11-29T12:00:00Z') };
};

beforeAll(async () => {
  s3 = await startFakeS3();
  keys = OBJECTS.map((records, index) => {
    const key = logFileKey(`2026-05-01T${10 + index}:55`, `fault${index}`);
    return { key, etag: s3.put(BUCKET, key, logFile(records)).etag };
  });
  const clean = await newReal();
  await runBatch(clean, [0, 1, 2], 'clean', { kind: 'none' });
  reference = await itemsOf(clean.table);
}, 60_000);
afterAll(() => s3.close());

const faultArbitrary = (kinds: readonly ('crash-after-write' | 'store-error')[]) =>
  fc.oneof(fc.constant<Fault>({ kind: 'none' }), fc.record({ kind: fc.constantFrom(...kinds), atCall: fc.integer({ min: 1, max: 4 }) }));

const commandsWith = (kinds: readonly ('crash-after-write' | 'store-error')[]) => [
  fc
    .tuple(fc.subarray([0, 1, 2], { minLength: 1 }), fc.constantFrom('A', 'B'), faultArbitrary(kinds), fc.boolean())
    .map(([objects, runId, fault, expire]) => new BatchCommand(objects, runId, fault, expire)),
];

const crashes = (sequence: Iterable<fc.AsyncCommand<object, Real>>) =>
  [...sequence].filter((command) => command instanceof BatchCommand && command.fault.kind === 'crash-after-write').length;

describe('backfill batches under generated faults and interleavings', () => {
  it('end, after one clean run, with the table of one clean pass when nothing crashed (model-based)', async () => {
    expect(reference.length).toBeGreaterThanOrEqual(4);
    await fc.assert(
      fc.asyncProperty(fc.commands(commandsWith(['store-error']), { maxCommands: 5 }), async (sequence) => {
        const real = await newReal();
        await fc.asyncModelRun(() => ({ model: {}, real }), sequence);
        await complete(real);
        expect((await itemsOf(real.table)).map(withoutRing)).toEqual(reference.map(withoutRing));
      }),
      { seed: 1515, numRuns: 10, interruptAfterTimeLimit: 20_000 },
    );
  }, 120_000);

  it('lose nothing and over-count by at most the crashed chunks when batches crash after writing (model-based)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commandsWith(['crash-after-write', 'store-error']), { maxCommands: 5 }), async (sequence) => {
        const real = await newReal();
        await fc.asyncModelRun(() => ({ model: {}, real }), sequence);
        await complete(real);
        const items = await itemsOf(real.table);
        expect(items.map(withoutCounts)).toEqual(reference.map(withoutCounts));
        expect(useCount(items)).toBeGreaterThanOrEqual(useCount(reference));
        expect(useCount(items) - useCount(reference)).toBeLessThanOrEqual(1000 * crashes(sequence));
      }),
      { seed: 1515, numRuns: 10, interruptAfterTimeLimit: 20_000 },
    );
  }, 120_000);

  it('go on from the checkpoint of another run\'s crashed object, not from its start (a shrunk counterexample)', async () => {
    const real = await newReal();
    await runBatch(real, [0, 2], 'B', { kind: 'crash-after-write', atCall: 3 });

    await complete(real);

    const items = await itemsOf(real.table);
    expect(useCount(items) - useCount(reference)).toBeLessThanOrEqual(1000);
    expect(items.map(withoutCounts)).toEqual(reference.map(withoutCounts));
  });

  it('count a crashed chunk again when 2,600 uses of its key-day came in before its retry (the shrunk counterexample)', async () => {
    const real = await newReal();
    await runBatch(real, [1], 'A', { kind: 'crash-after-write', atCall: 1 });
    await runBatch(real, [0], 'A', { kind: 'crash-after-write', atCall: 1 });

    await complete(real);

    const items = await itemsOf(real.table);
    expect(items.map(withoutCounts)).toEqual(reference.map(withoutCounts));
    // Object 1's 400 uses left the bucket's 2,000 fingerprints behind object 0's 2,600 and were counted twice.
    expect(useCount(items) - useCount(reference)).toBe(400);
  });
});
