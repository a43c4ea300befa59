/**
 * Reads CloudTrail input from disk for `kms-guard replay`: files and directories of raw records, arrays of
 * records, S3 log files ({"Records":[…]}), SQS batches, EventBridge events and JSON Lines, gzipped or not.
 * JSON Lines are streamed a line at a time, so a million-record file is read in bounded memory.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { rejected, type ParseOutcome } from './outcome.js';
import { parseRecord } from './parse-record.js';
import { printable } from './printable.js';
import { readLogRecords } from './records-stream.js';

export interface InputRecord {
  readonly source: string;
  /** Position in the file, from 1: the record's number in a JSON document, or its line in JSON Lines; undefined for the file as a whole. */
  readonly index: number | undefined;
  readonly outcome: ParseOutcome;
}

const INPUT_FILE = /\.(json|jsonl|gz)$/i;
const JSON_LINES = /\.jsonl(\.gz)?$/i;
const GZIP = /\.gz$/i;

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

/**
 * A JSON document streamed a record at a time (records-stream.ts): a busy account's log file is never held whole,
 * so readers run in a small heap. Digest files and Insights records are skipped with their reason.
 */
async function* readJsonDocument(file: string): AsyncGenerator<InputRecord> {
  yield* readLogRecords(file, createReadStream(file));
}

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
