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

export interface TimeOrderOptions {
  /** Events held in memory before a sorted run is written to disk. */
  readonly runSize?: number;
}

/** Collects events, then yields them in time order. Call `add` for every event, then iterate `drain()` once. */
export class TimeOrderedEvents {
  private readonly runSize: number;
  private buffer: KmsEvent[] = [];
  private readonly runFiles: string[] = [];
  private directory: string | undefined;

  constructor(options: TimeOrderOptions = {}) {
    this.runSize = options.runSize ?? 50_000;
  }

  async add(event: KmsEvent): Promise<void> {
    this.buffer.push(event);
    if (this.buffer.length >= this.runSize) await this.spill();
  }

  async *drain(): AsyncGenerator<KmsEvent> {
    try {
      if (this.runFiles.length === 0) {
        yield* this.buffer.sort(compareEvents);
        return;
      }
      await this.spill();
      yield* mergeRuns(this.runFiles);
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
    for (const event of this.buffer.sort(compareEvents)) {
      if (!out.write(`${JSON.stringify(event)}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    this.runFiles.push(file);
    this.buffer = [];
  }
}

/** k-way merge of sorted runs; with a handful of runs a linear scan of the heads is as fast as a heap. */
async function* mergeRuns(files: readonly string[]): AsyncGenerator<KmsEvent> {
  const readers = files.map((file) => createInterface({ input: createReadStream(file), crlfDelay: Infinity })[Symbol.asyncIterator]());
  const heads: (KmsEvent | undefined)[] = await Promise.all(readers.map(next));
  for (;;) {
    let best = -1;
    heads.forEach((head, index) => {
      const current = best < 0 ? undefined : heads[best];
      if (head !== undefined && (current === undefined || compareEvents(head, current) < 0)) best = index;
    });
    const reader = readers[best];
    const event = heads[best];
    if (reader === undefined || event === undefined) return;
    yield event;
    heads[best] = await next(reader);
  }
}

const next = async (reader: AsyncIterator<string>): Promise<KmsEvent | undefined> => {
  const line = await reader.next();
  return line.done === true ? undefined : (JSON.parse(line.value) as KmsEvent);
};
