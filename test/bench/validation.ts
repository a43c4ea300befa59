/**
 * The ingest's record check, two ways, on the same records from the log set: the zod schema
 * (CloudTrailRecordSchema, the slow path that names the field) and the precompiled check (fast-record.ts, the hot
 * path). Records are parsed first; only the check is timed. Median of a few passes.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fastCloudTrailRecord } from '../../lib/ingest/fast-record.js';
import { CloudTrailRecordSchema } from '../../lib/ingest/schemas.js';
import { median } from './processes.js';

export interface ValidationFigures {
  readonly records: number;
  readonly zodPerSec: number;
  readonly precompiledPerSec: number;
}

const firstFiles = async (directory: string, count: number): Promise<string[]> => {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (found.length >= count) return;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.json.gz')) found.push(full);
    }
  };
  await walk(directory);
  return found;
};

export const measureValidation = async (directory: string, wanted = 50_000, passes = 5): Promise<ValidationFigures> => {
  const records: Record<string, unknown>[] = [];
  for (const file of await firstFiles(directory, 2_000)) {
    if (records.length >= wanted) break;
    records.push(...(JSON.parse(gunzipSync(await readFile(file)).toString('utf8')) as { Records: Record<string, unknown>[] }).Records);
  }
  const time = (check: (record: Record<string, unknown>) => unknown): number => {
    const seconds: number[] = [];
    for (let pass = 0; pass < passes; pass += 1) {
      const started = performance.now();
      for (const record of records) if (check(record) === undefined) throw new Error('a valid record did not pass');
      seconds.push((performance.now() - started) / 1000);
    }
    return Math.round(records.length / median(seconds));
  };
  return {
    records: records.length,
    zodPerSec: time((record) => (CloudTrailRecordSchema.safeParse(record).success ? true : undefined)),
    precompiledPerSec: time((record) => fastCloudTrailRecord(record)),
  };
};
