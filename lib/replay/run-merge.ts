/**
 * The k-way merge of sorted runs into one time-ordered stream. Each run is read in large chunks and split into lines
 * without a stream per line; a binary heap picks the earliest head, so many runs cost log(k) per event.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Run } from './parallel-read.js';
import { RunDecoder, compareRunItems, type RunItem, type RunTables } from './run-line.js';

/** Read per run at a time: with dozens of runs open, their chunks are a visible part of the memory budget. */
const CHUNK = 1 << 18;

class RunReader {
  private lines: string[] = [];
  private next = 0;
  private rest = '';
  private ended = false;
  private readonly chunk = Buffer.allocUnsafe(CHUNK);

  private constructor(
    private readonly handle: FileHandle,
    private readonly decoder: RunDecoder,
  ) {}

  static async open(file: string, decoder: RunDecoder): Promise<RunReader> {
    return new RunReader(await open(file, 'r'), decoder);
  }

  /** The next item, or undefined at the end of the run. */
  async read(): Promise<RunItem | undefined> {
    while (this.next >= this.lines.length) {
      if (this.ended) return undefined;
      await this.fill();
    }
    const line = this.lines[this.next++] ?? '';
    return this.decoder.decode(line);
  }

  private async fill(): Promise<void> {
    const { bytesRead } = await this.handle.read(this.chunk, 0, CHUNK, null);
    if (bytesRead === 0) {
      this.ended = true;
      this.lines = this.rest === '' ? [] : [this.rest];
      this.next = 0;
      this.rest = '';
      await this.handle.close();
      return;
    }
    // A chunk may end inside a multi-byte character: keep the bytes after the last newline for the next chunk.
    const lastNewline = this.chunk.lastIndexOf(10, bytesRead - 1);
    if (lastNewline < 0) {
      this.rest += this.chunk.toString('utf8', 0, bytesRead);
      this.lines = [];
    } else {
      const text = this.rest + this.chunk.toString('utf8', 0, lastNewline);
      this.rest = this.chunk.toString('utf8', lastNewline + 1, bytesRead);
      this.lines = text.split('\n');
    }
    this.next = 0;
  }
}

interface Head {
  readonly item: RunItem;
  readonly reader: RunReader;
}

export async function* mergeRuns(runs: readonly Run[]): AsyncGenerator<RunItem> {
  const heap: Head[] = [];
  const before = (a: Head, b: Head) => compareRunItems(a.item, b.item) < 0;
  const push = (head: Head) => {
    heap.push(head);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const [child, up] = [heap[index] as Head, heap[parent] as Head];
      if (!before(child, up)) break;
      heap[index] = up;
      heap[parent] = child;
      index = parent;
    }
  };
  const pop = (): Head | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const [left, right] = [2 * index + 1, 2 * index + 2];
      let smallest = index;
      if (left < heap.length && before(heap[left] as Head, heap[smallest] as Head)) smallest = left;
      if (right < heap.length && before(heap[right] as Head, heap[smallest] as Head)) smallest = right;
      if (smallest === index) break;
      [heap[index], heap[smallest]] = [heap[smallest] as Head, heap[index] as Head];
      index = smallest;
    }
    return top;
  };
  const decoders = new Map<RunTables, RunDecoder>();
  for (const run of runs) {
    let decoder = decoders.get(run.tables);
    if (decoder === undefined) {
      decoder = new RunDecoder(run.tables);
      decoders.set(run.tables, decoder);
    }
    const reader = await RunReader.open(run.file, decoder);
    const item = await reader.read();
    if (item !== undefined) push({ item, reader });
  }
  for (let head = pop(); head !== undefined; head = pop()) {
    yield head.item;
    const item = await head.reader.read();
    if (item !== undefined) push({ item, reader: head.reader });
  }
}
