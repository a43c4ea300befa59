/**
 * `npm run bench -- [--events N] [--keys K] [--seed S] [--parallel P] [--concurrency C] [--no-bundles] [--json]
 *    [--backfill-objects O] [--backfill-records R] [--no-backfill]`
 *
 * Measures, in one run over the same deterministic synthetic stream: parse-only throughput, the usage tracker's
 * throughput through its real handler into DynamoDB Local, the DynamoDB writes it issued against distinct
 * (key, batch) pairs, peak RSS, each Lambda's bundle size and cold import time, and the backfill's per-batch
 * Lambda (records/s per invocation, test/bench/backfill.ts). A benchmark measures; the
 * targets are printed beside the figures, not asserted.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDynamoDbLocal } from '../../lib/adapters/dynamodb-local.js';
import { measureBackfill, type BackfillFigures } from './backfill.js';
import { measureBundles, type BundleFigures } from './bundles.js';
import { measureEngine, type EngineFigures } from './engine-baseline.js';
import type { StreamOptions } from './synthetic-stream.js';
import { measureParseOnly, measureTracker } from './throughput.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    keys: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '42' },
    parallel: { type: 'string', default: '1' },
    concurrency: { type: 'string' },
    'no-bundles': { type: 'boolean', default: false },
    'no-backfill': { type: 'boolean', default: false },
    'backfill-objects': { type: 'string', default: '20' },
    'backfill-records': { type: 'string', default: '5000' },
    json: { type: 'boolean', default: false },
  },
});

const positive = (raw: string | undefined, flag: string): number => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    process.stderr.write(`bench: ${flag} must be a positive whole number, got "${raw}"\n`);
    process.exit(2);
  }
  return value;
};

const stream: StreamOptions = {
  events: positive(values.events, '--events'),
  keys: positive(values.keys, '--keys'),
  seed: positive(values.seed, '--seed'),
};
const parallelBatches = positive(values.parallel, '--parallel');
const concurrency = values.concurrency === undefined ? undefined : positive(values.concurrency, '--concurrency');
const log = (line: string) => process.stderr.write(`${line}\n`);

log(`bench: ${stream.events.toLocaleString('en-US')} events over ${stream.keys} keys (seed ${stream.seed}), SQS batches of 1000`);
const parse = measureParseOnly(stream);
log(`  parse-only: ${parse.seconds.toFixed(2)} s (${parse.events} events, ${parse.skipped} skipped, ${parse.rejected} rejected)`);

const dynamo = await startDynamoDbLocal();
let tracker;
let engine: EngineFigures;
let backfill: BackfillFigures | undefined;
try {
  tracker = await measureTracker(stream, {
    endpoint: dynamo.endpoint,
    tableName: `kms-guard-bench-${randomUUID()}`,
    parallelBatches,
    ...(concurrency === undefined ? {} : { store: { concurrency } }),
  });
  // Measured after the tracker, on the same (by then warm) engine.
  engine = await measureEngine(dynamo.endpoint, `kms-guard-bench-engine-${randomUUID()}`, 2000, concurrency ?? 16);
  if (!values['no-backfill']) {
    backfill = await measureBackfill({
      endpoint: dynamo.endpoint,
      objects: positive(values['backfill-objects'], '--backfill-objects'),
      recordsPerObject: positive(values['backfill-records'], '--backfill-records'),
      keys: Math.min(stream.keys, 500),
      seed: stream.seed,
    });
    log(`  backfill: ${backfill.records} records (${backfill.events} KMS events) in ${backfill.objects} objects, one invocation: ${backfill.seconds.toFixed(2)} s`);
  }
} finally {
  await dynamo.stop();
}
for (const [name, { calls, ms }] of Object.entries(tracker.commands)) {
  log(`    ${name}: ${calls} calls, ${(ms / 1000).toFixed(2)} s summed, ${(ms / calls).toFixed(2)} ms each`);
}
log(`  tracker: ${tracker.seconds.toFixed(2)} s in ${tracker.batches} batches (${tracker.storeSeconds.toFixed(2)} s inside record()), ${tracker.failedItems} failed items`);

// maxRSS is in kilobytes (getrusage); measured before the bundles, whose builds are not the tracker's cost.
const peakRssMb = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
const bundles: Record<string, BundleFigures> = values['no-bundles'] ? {} : await measureBundles(repoRoot);

const result = {
  events: stream.events,
  keys: stream.keys,
  parseOnlyPerSec: Math.round(parse.messages / parse.seconds),
  trackerPerSec: Math.round(tracker.messages / tracker.seconds),
  writes: tracker.totals.writes,
  keyBatches: tracker.totals.keyBatches,
  peakRssMb,
  bundles,
  ...(backfill === undefined ? {} : { backfill }),
};

const check = (ok: boolean) => (ok ? 'met' : 'MISSED');
const rows: [string, string, string][] = [
  ['parse-only', `${result.parseOnlyPerSec.toLocaleString('en-US')} events/s`, ''],
  [
    'usage tracker',
    `${result.trackerPerSec.toLocaleString('en-US')} events/s`,
    `>= 0.5 x parse-only: ${check(result.trackerPerSec >= 0.5 * result.parseOnlyPerSec)}`,
  ],
  [
    'engine ceiling',
    `${engine.pairsPerSec.toLocaleString('en-US')} Get+Put/s`,
    `DynamoDB Local, small items, ${engine.concurrency} at a time: at most ~${Math.round((engine.pairsPerSec * tracker.messages) / Math.max(1, tracker.totals.keyBatches)).toLocaleString('en-US')} events/s at this stream's events per (key, batch)`,
  ],
  // Each batch also moves its account and Region's coverage (watchedSince, heartbeat): two conditional updates.
  ['DynamoDB writes', result.writes.toLocaleString('en-US'), `<= key batches + 2 per batch: ${check(result.writes <= result.keyBatches + 2 * tracker.batches)}`],
  ['(key, batch) pairs', result.keyBatches.toLocaleString('en-US'), ''],
  ['duplicates seen', tracker.totals.duplicates.toLocaleString('en-US'), ''],
  ['peak RSS', `${peakRssMb} MB`, `whole bench process; half of 512 MB: ${check(peakRssMb < 256)}`],
  ...(backfill === undefined
    ? []
    : ([
        ['backfill batch', `${backfill.recordsPerSec.toLocaleString('en-US')} records/s`, `${backfill.eventsPerSec.toLocaleString('en-US')} KMS events/s per invocation, ${backfill.objects} objects (${backfill.gzippedMb} MB gzipped)`],
        ['backfill writes', backfill.writes.toLocaleString('en-US'), `usage-store writes for ${backfill.events.toLocaleString('en-US')} events in ${backfill.chunks} chunks (+ about ${backfill.chunks + backfill.objects} ledger writes)`],
        ['backfill reader', `${backfill.readerHeldKb} KiB held`, `at most, reading a ${backfill.largestObjectMb} MB log file`],
      ] as [string, string, string][])),
  ...Object.entries(bundles).map(([name, figures]): [string, string, string] => [
    `bundle ${name}`,
    `${(figures.bytes / 1024).toFixed(0)} KiB`,
    `cold import ${figures.coldImportMs} ms`,
  ]),
];
const width = Math.max(...rows.map(([label]) => label.length));
const valueWidth = Math.max(...rows.map(([, value]) => value.length));
const table = rows.map(([label, value, note]) => `${label.padEnd(width)}  ${value.padStart(valueWidth)}  ${note}`.trimEnd()).join('\n');
process.stdout.write(`${table}\n`);
if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
