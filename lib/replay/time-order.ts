/**
 * Replays must see each key's history before any decision about it, so events are processed in eventTime order
 * across all inputs. Log sets can hold millions of records: events are sorted in bounded runs spilled to
 * temporary JSON Lines files, then merged, so memory stays bounded by the run size.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { KmsEvent } from '../domain/kms-event.js';

/** Ties on eventTime break on eventId, so any shuffle of the same input replays in the same order. */
export const compareEvents = (a: KmsEvent, b: KmsEvent): number =>
  a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;

export interface TimeOrderOptions<T> {
  /** Items held in memory before a sorted run is written to disk. */
  readonly runSize?: number;
  /** The event an item carries (items may carry where they came from besides); the item itself by default. */
  readonly eventOf?: (item: T) => KmsEvent;
}

/**
 * Collects events (or items carrying one, JSON-serialisable), then yields them in time order. Call `add` for
 * every item, then iterate `drain()` once.
 */
export class TimeOrderedEvents<T = KmsEvent> {
  private readonly runSize: number;
  private readonly compare: (a: T, b: T) => number;
  private buffer: T[] = [];
  private readonly runFiles: string[] = [];
  private directory: string | undefined;

  constructor(options: TimeOrderOptions<T> = {}) {
    this.runSize = options.runSize ?? 50_000;
    const eventOf = options.eventOf ?? ((item: T) => item as unknown as KmsEvent);
    this.compare = (a, b) => compareEvents(eventOf(a), eventOf(b));
  }

  async add(item: T): Promise<void> {
    this.buffer.push(item);
    if (this.buffer.length >= this.runSize) await this.spill();
  }

  async *drain(): AsyncGenerator<T> {
    try {
      if (this.runFiles.length === 0) {
        yield* this.buffer.sort(this.compare);
        return;
      }
      await this.spill();
      yield* mergeRuns(this.runFiles, this.compare);
    } finally {
      this.buffer = [];
      if (this.directory !== undefined) await rm(this.directory, { recursive: true, force: true });
    }
  }

  private async spill(): Promise<void> {
    if (this.buffer.length === 0) return;
    this.directory ??= await mkdtemp(join(tmpdir(), 'kms-guard-replay-'));
    const file = join(this.directory, `run-${this.runFiles.length}.jsonl`);
    const out = createWriteStream(file);
    for (const event of this.buffer.sort(this.compare)) {
      if (!out.write(`${JSON.stringify(event)}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    this.runFiles.push(file);
    this.buffer = [];
  }
}

/** k-way merge of sorted runs; with a handful of runs a linear scan of the heads is as fast as a heap. */
async function* mergeRuns<T>(files: readonly string[], compare: (a: T, b: T) => number): AsyncGenerator<T> {
  const readers = files.map((file) => createInterface({ input: createReadStream(file), crlfDelay: Infinity })[Symbol.asyncIterator]());
  const heads: (T | undefined)[] = await Promise.all(readers.map((reader) => next<T>(reader)));
  for (;;) {
    let best = -1;
    heads.forEach((head, index) => {
      const current = best < 0 ? undefined : heads[best];
      if (head !== undefined && (current === undefined || compare(head, current) < 0)) best = index;
    });
    const reader = readers[best];
    const event = heads[best];
    if (reader === undefined || event === undefined) return;
    yield event;
    heads[best] = await next<T>(reader);
  }
}

const next = async <T>(reader: AsyncIterator<string>): Promise<T | undefined> => {
  const line = await reader.next();
  return line.done === true ? undefined : (JSON.parse(line.value) as T);
};
