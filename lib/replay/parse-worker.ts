/**
 * A worker thread of the replay's reader: it takes files from the shared list (one counter for all workers, so a
 * big file does not hold the others back), reads, gunzips, parses and validates their records with the ingest
 * boundary, routes each event, and writes the events in sorted runs (time order) to temporary files. It sends
 * back what the main thread reports: rejected records, events naming no key, counts and the runs.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { SkipCategory } from '../ingest/outcome.js';
import { readInputs } from '../ingest/read-inputs.js';
import type { KmsEvent } from '../domain/kms-event.js';
import { routeEvent, type FunctionName } from '../routing.js';
import { grantChange } from '../domain/grant-ledger.js';
import { isLifecycleEvent } from '../domain/key-state.js';
import { isUsageEvent } from '../domain/usage.js';
import { isReadOnlyEvent } from '../domain/coverage.js';
import { isNonUseCall } from '../domain/non-use-calls.js';
import { RunEncoder, positionIn, sortKey, type RunTables } from './run-line.js';

export interface ParseWorkerData {
  readonly files: readonly string[];
  /** Int32Array over a SharedArrayBuffer: [0] is the next file to take. */
  readonly next: SharedArrayBuffer;
  readonly now: string;
  readonly directory: string;
  readonly worker: number;
  /** Serialized bytes of events held before a sorted run is written. */
  readonly runBytes: number;
}

export type ParseWorkerMessage =
  | { readonly kind: 'rejected'; readonly message: string }
  | { readonly kind: 'unresolved'; readonly source: string; readonly position?: string; readonly eventName: string; readonly unresolvedKey: string }
  | { readonly kind: 'progress'; readonly records: number }
  | {
      readonly kind: 'done';
      readonly runs: readonly string[];
      readonly tables: RunTables;
      readonly records: number;
      /** Events in the runs: the others touch nothing (see touchesNothing). */
      readonly carried: number;
      readonly events: number;
      readonly rejected: number;
      readonly unresolvedKeys: number;
      readonly afterNow: number;
      readonly latestAfterNow?: string;
      readonly skipped: Readonly<Record<SkipCategory, number>>;
      readonly sources: readonly number[];
    };

const PROGRESS_EVERY = 5_000;

/**
 * routeEvent, remembered: without an error, an event's routing envelope is its eventSource, eventName and category
 * alone (routing.ts, toRoutingEnvelope), so the answer for those three is the answer for every such event.
 */
const routes = new Map<string, FunctionName[]>();
const route = (event: KmsEvent): FunctionName[] => {
  if (event.error !== undefined) return routeEvent(event);
  const key = `${event.eventSource}\n${event.eventName}\n${event.category}`;
  let targets = routes.get(key);
  if (targets === undefined) {
    targets = routeEvent(event);
    routes.set(key, targets);
  }
  return targets;
};

/**
 * An event only the usage tracker sees that is no usage, no lifecycle change, no grant, no non-use call (a
 * DescribeKey is grant evidence) and no read-only call (each is coverage: the heartbeat) changes nothing the guard
 * reads: it is counted, not carried to the main thread. A use whose key could not be resolved is one.
 */
const touchesNothing = (event: KmsEvent, targets: readonly FunctionName[]): boolean =>
  targets.length === 1 &&
  targets[0] === 'usage-tracker' &&
  !isLifecycleEvent(event) &&
  grantChange(event) === undefined &&
  !isNonUseCall(event) &&
  (!isReadOnlyEvent(event) || event.accountId === '' || event.region === '') &&
  (!isUsageEvent(event) || event.keyArns.length === 0);

const run = async (data: ParseWorkerData): Promise<void> => {
  const port = parentPort;
  if (port === null) throw new Error('parse-worker runs in a worker thread');
  const next = new Int32Array(data.next);
  const runs: string[] = [];
  let buffer: { key: string; line: string }[] = [];
  let bufferBytes = 0;
  const counts = { records: 0, events: 0, carried: 0, rejected: 0, unresolvedKeys: 0, afterNow: 0 };
  const encoder = new RunEncoder();
  let latestAfterNow: string | undefined;
  const skipped: Record<SkipCategory, number> = { 'not-kms': 0, 'cloudtrail-digest': 0, 'cloudtrail-insight': 0 };
  const sources = new Set<number>();

  const spill = async (): Promise<void> => {
    if (buffer.length === 0) return;
    buffer.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const file = join(data.directory, `run-${data.worker}-${runs.length}.jsonl`);
    const out = createWriteStream(file);
    for (const { line } of buffer) if (!out.write(`${line}\n`)) await once(out, 'drain');
    out.end();
    await once(out, 'finish');
    runs.push(file);
    buffer = [];
    bufferBytes = 0;
  };

  for (let index = Atomics.add(next, 0, 1); index < data.files.length; index = Atomics.add(next, 0, 1)) {
    for await (const record of readInputs([data.files[index] ?? ''])) {
      counts.records += 1;
      sources.add(index);
      if (counts.records % PROGRESS_EVERY === 0) port.postMessage({ kind: 'progress', records: PROGRESS_EVERY } satisfies ParseWorkerMessage);
      const { outcome } = record;
      if (outcome.kind === 'skipped') {
        skipped[outcome.category] += 1;
        continue;
      }
      if (outcome.kind === 'rejected') {
        counts.rejected += 1;
        port.postMessage({ kind: 'rejected', message: outcome.error.message } satisfies ParseWorkerMessage);
        continue;
      }
      const { event } = outcome;
      if (event.eventTime > data.now) {
        counts.afterNow += 1;
        if (latestAfterNow === undefined || event.eventTime > latestAfterNow) latestAfterNow = event.eventTime;
        continue;
      }
      const position = positionIn(record.source, record.index);
      if (event.unresolvedKey !== undefined) {
        counts.unresolvedKeys += 1;
        port.postMessage({
          kind: 'unresolved',
          source: record.source,
          ...(position === undefined ? {} : { position }),
          eventName: event.eventName,
          unresolvedKey: event.unresolvedKey,
        } satisfies ParseWorkerMessage);
      }
      counts.events += 1;
      const targets = route(event);
      if (touchesNothing(event, targets)) continue;
      counts.carried += 1;
      const item = { file: index, index: record.index, targets, event };
      const line = encoder.encode(item);
      const key = sortKey(item);
      buffer.push({ key, line });
      // Both strings, the entry and its slot: what the run costs in the heap, not on disk.
      bufferBytes += line.length + key.length + 64;
      if (bufferBytes >= data.runBytes) await spill();
    }
  }
  await spill();
  port.postMessage({
    kind: 'done',
    runs,
    tables: encoder.table,
    ...counts,
    ...(latestAfterNow === undefined ? {} : { latestAfterNow }),
    skipped,
    sources: [...sources],
  } satisfies ParseWorkerMessage);
};

await run(workerData as ParseWorkerData);
