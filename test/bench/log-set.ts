/**
 * A realistic CloudTrail log set on disk, as `aws s3 sync` leaves it: gzipped S3 log files ({"Records":[…]}) under
 * AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/, one file per account, Region and day, records in time
 * order within a file. The records are the bench's synthetic organization (synthetic-stream.ts): Zipf keys, EBS, S3
 * and Lambda callers, Lambda's Decrypts naming their key only in resources[], 0.5% failed calls, spread evenly over
 * `days`. Deterministic from the options; written once into a cache directory and reused by later runs.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { syntheticRecords } from './synthetic-stream.js';

export interface LogSetOptions {
  readonly events: number;
  readonly keys: number;
  readonly seed: number;
  readonly days: number;
}

export interface LogSet {
  readonly directory: string;
  readonly files: number;
  readonly records: number;
  readonly bytes: number;
}

const START = Date.parse('2026-10-01T00:00:00.000Z');

/** The log set for these options, generated on first use. */
export const logSet = async (options: LogSetOptions, log: (line: string) => void): Promise<LogSet> => {
  const directory = path.join(tmpdir(), `kms-guard-bench-logs-${options.events}-${options.keys}-${options.seed}-${options.days}`);
  const manifest = path.join(directory, 'manifest.txt');
  if (existsSync(manifest)) return JSON.parse(await readFile(manifest, 'utf8')) as LogSet;
  log(`  generating ${options.events.toLocaleString('en-US')} records into ${directory} (once; later runs reuse it)…`);
  const partial = `${directory}.partial`;
  await rm(partial, { recursive: true, force: true });
  const { record } = syntheticRecords({
    events: options.events,
    keys: options.keys,
    seed: options.seed,
    start: new Date(START).toISOString(),
    eventsPerSecond: options.events / (options.days * 86_400),
  });
  let day = '';
  let byFile = new Map<string, string[]>();
  let files = 0;
  let bytes = 0;
  const flush = async () => {
    for (const [file, lines] of byFile) {
      const gz = gzipSync(`{"Records":[${lines.join(',')}]}`);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, gz);
      files += 1;
      bytes += gz.length;
    }
    byFile = new Map();
  };
  for (let index = 0; index < options.events; index += 1) {
    const entry = record(index);
    const time = String(entry.eventTime);
    if (time.slice(0, 10) !== day) {
      await flush();
      day = time.slice(0, 10);
    }
    const account = String(entry.recipientAccountId);
    const region = String(entry.awsRegion);
    const [yyyy, mm, dd] = day.split('-');
    const file = path.join(partial, 'AWSLogs', account, 'CloudTrail', region, yyyy ?? '', mm ?? '', dd ?? '', `${account}_CloudTrail_${region}_${day.replaceAll('-', '')}T0000Z_bench.json.gz`);
    let lines = byFile.get(file);
    if (lines === undefined) {
      lines = [];
      byFile.set(file, lines);
    }
    lines.push(JSON.stringify(entry));
  }
  await flush();
  const result: LogSet = { directory, files, records: options.events, bytes };
  await writeFile(path.join(partial, 'manifest.txt'), JSON.stringify(result));
  await rm(directory, { recursive: true, force: true });
  await rename(partial, directory);
  return result;
};
