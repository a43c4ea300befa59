/**
 * Reads CloudTrail input from disk for `kms-guard replay`: files and directories of raw records, arrays of
 * records, S3 log files ({"Records":[…]}), SQS batches, EventBridge events and JSON Lines, gzipped or not.
 * JSON Lines are streamed a line at a time, so a million-record file is read in bounded memory.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip, gunzip } from 'node:zlib';
import { rejected, skipped, type ParseOutcome } from './outcome.js';
import { parseRecord, parseSqsBody } from './parse-record.js';
import { printable } from './printable.js';
import { isPlainObject } from './schemas.js';

export interface InputRecord {
  readonly source: string;
  /** Position in the file, from 1: the record's number in a JSON document, or its line in JSON Lines; undefined for the file as a whole. */
  readonly index: number | undefined;
  readonly outcome: ParseOutcome;
}

const INPUT_FILE = /\.(json|jsonl|gz)$/i;
const JSON_LINES = /\.jsonl(\.gz)?$/i;
const GZIP = /\.gz$/i;
const gunzipBuffer = promisify(gunzip);

/**
 * Files readInputs would read, and those it ignores, so the CLI can report them. Directories are walked
 * recursively in sorted order and keep .json, .jsonl and .gz files; a file named explicitly is always read,
 * and so is a path that does not exist (readInputs reports it).
 */
export async function listInputFiles(paths: readonly string[]): Promise<{ files: string[]; ignored: string[] }> {
  const files: string[] = [];
  const ignored: string[] = [];
  const visit = async (path: string, named: boolean, isDirectory?: boolean): Promise<void> => {
    // A directory entry says what it is; only a path given by name, or a symbolic link, needs a stat.
    const directory = isDirectory ?? (await stat(path).catch(() => undefined))?.isDirectory() === true;
    if (directory) {
      const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) await visit(join(path, entry.name), false, entry.isSymbolicLink() ? undefined : entry.isDirectory());
    } else if (named || INPUT_FILE.test(path)) {
      files.push(path);
    } else {
      ignored.push(path);
    }
  };
  for (const path of paths) await visit(path, true);
  return { files, ignored };
}

/** Walks files and directories (recursively, sorted, for determinism) and yields every record in them, streaming. */
export async function* readInputs(paths: readonly string[]): AsyncGenerator<InputRecord> {
  const { files } = await listInputFiles(paths);
  for (const file of files) yield* readFileRecords(file);
}

async function* readFileRecords(file: string): AsyncGenerator<InputRecord> {
  try {
    if (JSON_LINES.test(file)) yield* readJsonLines(file);
    else yield* readJsonDocument(file);
  } catch (error) {
    // Unreadable, missing, or a broken gzip stream: after whatever was yielded, one rejection for the file.
    yield { source: file, index: undefined, outcome: rejected({ source: file, index: undefined }, describeReadError(error), error) };
  }
}

async function* readJsonDocument(file: string): AsyncGenerator<InputRecord> {
  const raw = await readFile(file);
  const text = stripBom((GZIP.test(file) ? await gunzipBuffer(raw) : raw).toString('utf8'));
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const origin = { source: file, index: undefined };
    yield { ...origin, outcome: rejected(origin, `not valid JSON: ${printable((error as Error).message)}`, error) };
    return;
  }
  yield* recordsOf(document, file);
}

/** A JSON document's records: an array, a {"Records":[…]} log file or SQS batch, or one record/event. */
function* recordsOf(document: unknown, file: string): Generator<InputRecord> {
  if (isDigest(document)) {
    yield { source: file, index: undefined, outcome: skipped('CloudTrail digest file (log file integrity validation), not events', 'cloudtrail-digest') };
    return;
  }
  const records = Array.isArray(document) ? document : isPlainObject(document) && Array.isArray(document.Records) ? document.Records : undefined;
  if (records === undefined) {
    yield { source: file, index: 1, outcome: parseRecord(document, file, 1) };
    return;
  }
  for (const [offset, record] of records.entries()) {
    const index = offset + 1;
    const outcome = isSqsMessage(record) ? parseSqsBody(record.body, file, index) : parseRecord(record, file, index);
    yield { source: file, index, outcome };
  }
}

/** CloudTrail-Digest/ files: one object naming the hour's log files and their hashes, no Records. */
export const isDigest = (document: unknown): boolean =>
  isPlainObject(document) && typeof document.digestStartTime === 'string' && Array.isArray(document.logFiles);

/** An SQS record as Lambda receives it, not a CloudTrail record: eventSource "aws:sqs", a string body. */
const isSqsMessage = (record: unknown): record is Record<string, unknown> =>
  isPlainObject(record) && (record.eventSource === 'aws:sqs' || (typeof record.body === 'string' && 'messageId' in record));

async function* readJsonLines(file: string): AsyncGenerator<InputRecord> {
  const lines = createInterface({ input: openText(file), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    const text = lineNumber === 1 ? stripBom(line) : line;
    if (text.trim() === '') continue;
    const origin = { source: file, index: lineNumber, unit: 'line' } as const;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield { source: file, index: lineNumber, outcome: rejected(origin, `not valid JSON: ${printable((error as Error).message)}`, error) };
      continue;
    }
    yield { source: file, index: lineNumber, outcome: parseRecord(value, file, lineNumber, 'line') };
  }
}

const openText = (file: string): Readable => {
  const stream = createReadStream(file);
  if (!GZIP.test(file)) return stream;
  const unzipped = createGunzip();
  // pipe() does not forward errors: a missing or unreadable file must still end the iteration with its error.
  stream.on('error', (error) => unzipped.destroy(error));
  return stream.pipe(unzipped);
};

const describeReadError = (error: unknown): string => {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') return `not a valid gzip file: ${message}`;
  return printable(code === undefined || message.startsWith(code) ? message : `${code}: ${message}`);
};

const stripBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
