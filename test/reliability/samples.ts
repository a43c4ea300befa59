/**
 * The real CloudTrail samples (test/fixtures/cloudtrail) as raw records, for the reliability suites: every
 * record that the ingest accepts as a KMS event, with the file it came from.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseRecord } from '../../lib/ingest/parse-record.js';
import { cloudTrailSamplesDir, repoRoot } from '../support/fixtures.js';

export { repoRoot };

export const samplesDir = cloudTrailSamplesDir;

const walk = (directory: string): string[] =>
  readdirSync(directory)
    .sort()
    .flatMap((entry) => {
      const full = path.join(directory, entry);
      return statSync(full).isDirectory() ? walk(full) : /\.jsonl?$/.test(entry) ? [full] : [];
    });

const recordsIn = (file: string): unknown[] => {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.jsonl')) return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as unknown);
  const document = JSON.parse(text) as unknown;
  if (Array.isArray(document)) return document;
  if (typeof document === 'object' && document !== null && Array.isArray((document as { Records?: unknown }).Records)) {
    return (document as { Records: unknown[] }).Records;
  }
  return [document];
};

export interface SampleRecord {
  readonly file: string;
  /** A CloudTrail record or an EventBridge event, exactly as the sample holds it. */
  readonly record: Record<string, unknown>;
  readonly eventId: string;
}

/** Every sample record the ingest turns into a KmsEvent (the malformed/ directory's records are not among them). */
export const validSampleRecords = (): SampleRecord[] =>
  walk(samplesDir).flatMap((file) => {
    let records: unknown[];
    try {
      records = recordsIn(file);
    } catch {
      return [];
    }
    return records.flatMap((record) => {
      const outcome = parseRecord(record, file, 0);
      return outcome.kind === 'event' ? [{ file, record: record as Record<string, unknown>, eventId: outcome.event.eventId }] : [];
    });
  });
