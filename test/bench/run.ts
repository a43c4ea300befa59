/**
 * `npm run bench -- [--events 300000] [--keys 2000] [--days 30] [--seed 42] [--runs 3] [--jobs N]
 *   [--with-dynamodb-local] [--tracker-events 20000] [--no-tracker] [--no-bundles] [--json]
 *   [--backfill-objects 20] [--backfill-records 5000] [--no-backfill]`
 *
 * 1. The replay side by side with the anchor and the floor, on the same generated gzipped S3 log set (log-set.ts):
 *    `kms-guard replay` (the real CLI, in-memory store), DuckDB computing per key uses, last use, distinct callers and
 *    daily counts (anchor-duckdb.mjs), and Node reading, gunzipping and JSON.parsing the files (floor.mjs). Each is
 *    its own process; the rounds interleave them so they share the machine's noise; medians are printed, with
 *    records/s, each ratio, the replay's store writes against the distinct (key, day) buckets, and every process's
 *    peak RSS. The replay's per-key uses and last use are checked against DuckDB's.
 * 2. The record check, zod against the precompiled one (validation.ts).
 * 3. The production path: the usage tracker's handler into DynamoDB Local (writes per (key, batch)), each Lambda's
 *    bundle size and cold import time, and the backfill's per-batch Lambda against DynamoDB Local (records/s per
 *    invocation, backfill.ts).
 * A benchmark measures; the targets are printed beside the figures, not asserted.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDynamoDbLocal } from '../../lib/adapters/dynamodb-local.js';
import { measureBackfill, type BackfillFigures } from './backfill.js';
import { measureBundles, type BundleFigures } from './bundles.js';
import { logSet } from './log-set.js';
import { measureProcess, median, type ProcessFigures } from './processes.js';
import { measureTracker, type TrackerFigures } from './throughput.js';
import { measureValidation } from './validation.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const log = (line: string) => process.stderr.write(`${line}\n`);

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '300000' },
    keys: { type: 'string', default: '2000' },
    days: { type: 'string', default: '30' },
    seed: { type: 'string', default: '42' },
    runs: { type: 'string', default: '3' },
    jobs: { type: 'string' },
    'with-dynamodb-local': { type: 'boolean', default: false },
    'tracker-events': { type: 'string', default: '20000' },
    'no-tracker': { type: 'boolean', default: false },
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

const options = { events: positive(values.events, '--events'), keys: positive(values.keys, '--keys'), days: positive(values.days, '--days'), seed: positive(values.seed, '--seed') };
const runs = positive(values.runs, '--runs');
const jobs = values.jobs === undefined ? [] : ['--jobs', String(positive(values.jobs, '--jobs'))];
const loads: number[] = [];
const noteLoad = () => loads.push(loadavg()[0] ?? 0);

log(`bench: ${options.events.toLocaleString('en-US')} records, ${options.keys} keys, ${options.days} days (seed ${options.seed}), ${runs} rounds`);
const set = await logSet(options, log);
log(`  log set: ${set.files.toLocaleString('en-US')} gzipped S3 log files, ${(set.bytes / 1e6).toFixed(0)} MB`);

interface Contender {
  readonly name: string;
  readonly script: string;
  readonly args: readonly string[];
}
const NOW = '2026-11-29T12:00:00Z';
const contenders: Contender[] = [
  { name: 'replay', script: path.join(repoRoot, 'lib/cli/bin.js'), args: ['replay', '--json', '--no-progress', '--now', NOW, ...jobs, set.directory] },
  { name: 'DuckDB', script: path.join(repoRoot, 'test/bench/anchor-duckdb.mjs'), args: [set.directory] },
  { name: 'floor', script: path.join(repoRoot, 'test/bench/floor.mjs'), args: [set.directory] },
  ...(values['with-dynamodb-local']
    ? [{ name: 'replay (DynamoDB Local)', script: path.join(repoRoot, 'lib/cli/bin.js'), args: ['replay', '--json', '--no-progress', '--store', 'dynamodb-local', '--now', NOW, ...jobs, set.directory] }]
    : []),
];
const results = new Map<string, ProcessFigures[]>(contenders.map((contender) => [contender.name, []]));
for (let round = 1; round <= runs; round += 1) {
  for (const contender of contenders) {
    noteLoad();
    const figures = await measureProcess(contender.script, contender.args, repoRoot);
    if (figures.status !== 0) throw new Error(`${contender.name} exited ${figures.status}: ${figures.stderr.slice(-2000)}`);
    results.get(contender.name)?.push(figures);
    log(`  round ${round}: ${contender.name} ${figures.wallSeconds.toFixed(2)} s, peak RSS ${figures.peakRssMb} MB${Object.entries(figures.children).map(([name, mb]) => `, ${name} ${mb} MB`).join('')}`);
  }
}

const wall = (name: string) => median((results.get(name) ?? []).map((figures) => figures.wallSeconds));
const peak = (name: string) => Math.max(...(results.get(name) ?? []).map((figures) => figures.peakRssMb));
const childPeaks = (name: string) => {
  const peaks: Record<string, number> = {};
  for (const figures of results.get(name) ?? []) for (const [child, mb] of Object.entries(figures.children)) peaks[child] = Math.max(peaks[child] ?? 0, mb);
  return peaks;
};

const lastReplay = results.get('replay')?.at(-1);
const duck = JSON.parse(results.get('DuckDB')?.at(-1)?.stdout ?? '{}') as { keys: number; uses: number; keyDays: number; perKey: Record<string, { uses: number; lastUse: string }> };
const writes = Number(/([\d,]+) store writes/.exec(lastReplay?.stderr ?? '')?.[1]?.replaceAll(',', '') ?? NaN);
const keyLines = (lastReplay?.stdout ?? '').split('\n').filter((line) => line.startsWith('{"kind":"key"')).map((line) => JSON.parse(line) as { keyArn: string; useCount: number; lastUsedAt: string | null });
const disagreements = keyLines.filter((line) => {
  const expected = duck.perKey[line.keyArn];
  return expected === undefined || expected.uses !== line.useCount || Date.parse(expected.lastUse) !== Date.parse(line.lastUsedAt ?? '');
});

const validation = await measureValidation(set.directory);

let tracker: TrackerFigures | undefined;
let backfill: BackfillFigures | undefined;
if (!values['no-tracker'] || !values['no-backfill']) {
  const dynamo = await startDynamoDbLocal();
  try {
    if (!values['no-tracker']) {
      tracker = await measureTracker({ events: positive(values['tracker-events'], '--tracker-events'), keys: 500, seed: options.seed }, { endpoint: dynamo.endpoint, tableName: `kms-guard-bench-${randomUUID()}` });
    }
    if (!values['no-backfill']) {
      backfill = await measureBackfill({
        endpoint: dynamo.endpoint,
        objects: positive(values['backfill-objects'], '--backfill-objects'),
        recordsPerObject: positive(values['backfill-records'], '--backfill-records'),
        keys: Math.min(options.keys, 500),
        seed: options.seed,
      });
    }
  } finally {
    await dynamo.stop();
  }
}
const bundles: Record<string, BundleFigures> = values['no-bundles'] ? {} : await measureBundles(repoRoot);

const rate = (seconds: number) => Math.round(options.events / seconds).toLocaleString('en-US');
const check = (ok: boolean) => (ok ? 'met' : 'MISSED');
const [replay, anchor, floor] = [wall('replay'), wall('DuckDB'), wall('floor')];
const rows: string[][] = [
  ['', 'wall (median)', 'records/s', '÷ DuckDB', 'floor ÷', 'peak RSS'],
  ...contenders.map(({ name }) => {
    const seconds = wall(name);
    const children = Object.entries(childPeaks(name)).map(([child, mb]) => ` + ${child} ${mb} MB`).join('');
    return [name, `${seconds.toFixed(2)} s`, rate(seconds), `${(seconds / anchor).toFixed(2)}×`, `${((floor / seconds) * 100).toFixed(0)}%`, `${peak(name)} MB${children}`];
  }),
];
const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
const table = rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ')).join('\n');
const lines = [
  `${options.events.toLocaleString('en-US')} records, ${options.keys.toLocaleString('en-US')} keys, ${set.files.toLocaleString('en-US')} files; median of ${runs}; load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} on ${2} cores`,
  table,
  `replay ≤ 3× DuckDB: ${check(replay <= 3 * anchor)} (aim ≤ 1×: ${check(replay <= anchor)}); ≥ 25% of the floor: ${check(floor / replay >= 0.25)}; peak RSS ≤ 512 MB: ${check(peak('replay') <= 512)}`,
  `store writes ${writes.toLocaleString('en-US')} for ${duck.keyDays.toLocaleString('en-US')} distinct (key, day) buckets (${(writes / duck.keyDays).toFixed(3)} per bucket)`,
  `per-key uses and last use, replay against DuckDB: ${disagreements.length === 0 && keyLines.length === duck.keys ? `the same for all ${keyLines.length.toLocaleString('en-US')} keys` : `${disagreements.length} of ${keyLines.length} keys DIFFER (DuckDB has ${duck.keys})`}`,
  `record check on ${validation.records.toLocaleString('en-US')} records: zod ${validation.zodPerSec.toLocaleString('en-US')}/s, precompiled ${validation.precompiledPerSec.toLocaleString('en-US')}/s (${(validation.precompiledPerSec / validation.zodPerSec).toFixed(1)}×)`,
  ...(tracker === undefined
    ? []
    : [`usage tracker into DynamoDB Local: ${tracker.messages.toLocaleString('en-US')} messages, ${Math.round(tracker.messages / tracker.seconds).toLocaleString('en-US')}/s, ${tracker.totals.writes.toLocaleString('en-US')} writes for ${tracker.totals.keyBatches.toLocaleString('en-US')} (key, batch) pairs: ≤ 1 per pair ${check(tracker.totals.writes <= tracker.totals.keyBatches)}`]),
  ...(backfill === undefined
    ? []
    : [
        `backfill batch Lambda into DynamoDB Local: ${backfill.recordsPerSec.toLocaleString('en-US')} records/s (${backfill.eventsPerSec.toLocaleString('en-US')} KMS events/s) per invocation over ${backfill.objects} objects (${backfill.gzippedMb} MB gzipped); ${backfill.writes.toLocaleString('en-US')} store writes for ${backfill.events.toLocaleString('en-US')} events; the reader held at most ${backfill.readerHeldKb} KiB reading a ${backfill.largestObjectMb} MB file`,
      ]),
  ...Object.entries(bundles).map(
    ([name, figures]) =>
      `bundle ${name.padEnd(15)} ${(figures.bytes / 1024).toFixed(0).padStart(5)} KiB, cold import ${figures.coldImportMs} ms wall, ${figures.coldImportCpuMs} ms CPU` +
      (name === 'usage-tracker' ? ` (< 500 KiB: ${check(figures.bytes < 500 * 1024)}; < 150 ms: ${check(figures.coldImportCpuMs < 150)} by CPU)` : ''),
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
if (values.json) {
  process.stdout.write(
    `${JSON.stringify({ ...options, runs, loads, seconds: Object.fromEntries(contenders.map(({ name }) => [name, wall(name)])), peakRssMb: Object.fromEntries(contenders.map(({ name }) => [name, peak(name)])), writes, keyDays: duck.keyDays, disagreements: disagreements.length, validation, tracker: tracker && { messages: tracker.messages, seconds: tracker.seconds, totals: tracker.totals }, backfill, bundles })}\n`,
  );
}
