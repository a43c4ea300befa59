import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { KmsEvent } from '../../lib/domain/kms-event.js';
import type { ParseOutcome } from '../../lib/ingest/parse-record.js';
import { readInputs, type InputRecord } from '../../lib/ingest/read-inputs.js';
import { cloudTrailSamplesDir, repoRoot } from '../support/fixtures.js';

export { repoRoot };
export const samplesDir = cloudTrailSamplesDir;

export const samplePath = (relative: string): string => path.join(samplesDir, relative);

/** A sample's JSON, a fresh copy every call (tests change it). */
export const loadSample = (relative: string): Record<string, unknown> =>
  JSON.parse(readFileSync(samplePath(relative), 'utf8')) as Record<string, unknown>;

/** Line N (1-based) of a JSON Lines sample. */
export const loadSampleLine = (relative: string, line: number): Record<string, unknown> => {
  const text = readFileSync(samplePath(relative), 'utf8').split('\n')[line - 1];
  if (text === undefined) throw new Error(`${relative} has no line ${line}`);
  return JSON.parse(text) as Record<string, unknown>;
};

export const loadProjectEvent = (relative: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(repoRoot, 'events', relative), 'utf8')) as Record<string, unknown>;

export const collect = async (paths: readonly string[]): Promise<InputRecord[]> => {
  const records: InputRecord[] = [];
  for await (const record of readInputs(paths)) records.push(record);
  return records;
};

/** The event of an outcome, failing the test with the outcome when there is none. */
export const eventOf = (outcome: ParseOutcome | undefined): KmsEvent => {
  if (outcome === undefined) throw new Error('expected an event, got no record');
  if (outcome.kind !== 'event') {
    throw new Error(`expected an event, got ${outcome.kind}: ${outcome.kind === 'skipped' ? outcome.reason : outcome.error.message}`);
  }
  return outcome.event;
};

export const reasonOf = (outcome: ParseOutcome): string => {
  if (outcome.kind !== 'rejected') throw new Error(`expected a rejection, got ${outcome.kind}`);
  return outcome.error.reason;
};
