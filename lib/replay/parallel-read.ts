/**
 * Reads the input files in worker threads (parse-worker.ts), one per core by default: each worker leaves its events
 * in sorted runs on disk, and the main thread merges every worker's runs back into one time-ordered stream
 * (run-merge.ts). Diagnostics come back as the workers find them; counts come back at the end.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SkipCategory } from '../ingest/outcome.js';
import type { ParseWorkerData, ParseWorkerMessage } from './parse-worker.js';
import type { RunTables } from './run-line.js';

export interface ReadListener {
  onRejected?(message: string): void;
  onUnresolvedKey?(source: string, position: string | undefined, eventName: string, unresolvedKey: string): void;
  onRecords?(read: number): void;
}

export interface ReadResult {
  readonly directory: string;
  readonly runs: readonly Run[];
  readonly files: number;
  readonly records: number;
  readonly events: number;
  /** Events in the runs (the others change nothing in the store and reach no decision). */
  readonly carried: number;
  readonly rejected: number;
  readonly unresolvedKeys: number;
  readonly afterNow: number;
  readonly latestAfterNow?: string;
  readonly skipped: Readonly<Record<SkipCategory, number>>;
  /** Removes the sorted runs. */
  cleanUp(): Promise<void>;
}

export interface ReadOptions {
  readonly jobs: number;
  /** Serialized bytes each worker holds before writing a sorted run. */
  readonly runBytes: number;
  /** Each worker's V8 old generation, in MB. */
  readonly heapMb: number;
}

type Done = Extract<ParseWorkerMessage, { kind: 'done' }>;

/** A sorted run and the tables its lines refer to. */
export interface Run {
  readonly file: string;
  readonly tables: RunTables;
}

const WORKER = new URL('./parse-worker-entry.mjs', import.meta.url);

export const readInParallel = async (files: readonly string[], now: string, options: ReadOptions, listener: ReadListener = {}): Promise<ReadResult> => {
  const directory = await mkdtemp(join(tmpdir(), 'kms-guard-replay-'));
  const cleanUp = () => rm(directory, { recursive: true, force: true });
  const next = new SharedArrayBuffer(4);
  let read = 0;
  const jobs = Math.max(1, Math.min(options.jobs, files.length));
  try {
    const results = await Promise.all(
      Array.from({ length: jobs }, (_, worker) => {
        const data: ParseWorkerData = { files, next, now, directory, worker, runBytes: options.runBytes };
        return new Promise<Done>((resolve, reject) => {
          const thread = new Worker(WORKER, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: options.heapMb, maxYoungGenerationSizeMb: 8 } });
          let done: Done | undefined;
          thread.on('message', (message: ParseWorkerMessage) => {
            if (message.kind === 'rejected') listener.onRejected?.(message.message);
            else if (message.kind === 'unresolved') listener.onUnresolvedKey?.(message.source, message.position, message.eventName, message.unresolvedKey);
            else if (message.kind === 'progress') listener.onRecords?.((read += message.records));
            else done = message;
          });
          thread.once('error', (error: NodeJS.ErrnoException) =>
            reject(
              error.code === 'ERR_WORKER_OUT_OF_MEMORY'
                ? new Error(`a reader thread ran out of its share of the memory budget (${options.heapMb} MB of heap): give the replay more with --memory`, { cause: error })
                : error,
            ),
          );
          thread.once('exit', (code) => (done === undefined ? reject(new Error(`a reader thread stopped (exit code ${code}) before it had read its files`)) : resolve(done)));
        });
      }),
    );
    const skipped: Record<SkipCategory, number> = { 'not-kms': 0, 'cloudtrail-digest': 0, 'cloudtrail-insight': 0 };
    const sources = new Set<number>();
    let latestAfterNow: string | undefined;
    for (const result of results) {
      for (const category of Object.keys(skipped) as SkipCategory[]) skipped[category] += result.skipped[category];
      result.sources.forEach((source) => sources.add(source));
      if (result.latestAfterNow !== undefined && (latestAfterNow === undefined || result.latestAfterNow > latestAfterNow)) latestAfterNow = result.latestAfterNow;
    }
    const sum = (field: 'records' | 'events' | 'carried' | 'rejected' | 'unresolvedKeys' | 'afterNow') => results.reduce((total, result) => total + result[field], 0);
    return {
      directory,
      runs: results.flatMap((result) => result.runs.map((file) => ({ file, tables: result.tables }))),
      carried: sum('carried'),
      files: sources.size,
      records: sum('records'),
      events: sum('events'),
      rejected: sum('rejected'),
      unresolvedKeys: sum('unresolvedKeys'),
      afterNow: sum('afterNow'),
      ...(latestAfterNow === undefined ? {} : { latestAfterNow }),
      skipped,
      cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
};
