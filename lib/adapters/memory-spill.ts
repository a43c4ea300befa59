/**
 * Where the in-memory table keeps what does not fit its budget: a temporary file of JSON records, appended, each
 * found again by its offset. A record read back is forgotten (its bytes become dead space in the file, which goes
 * when the table closes or the process exits).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredItem } from './memory-table.js';

export class SpillFile {
  private readonly directory = mkdtempSync(join(tmpdir(), 'kms-guard-store-'));
  private readonly descriptor = openSync(join(this.directory, 'spilled.jsonl'), 'w+');
  private readonly where = new Map<string, { readonly offset: number; readonly length: number }>();
  private end = 0;
  private readonly removeOnExit = () => this.close();

  constructor() {
    process.once('exit', this.removeOnExit);
  }

  write(pk: string, items: readonly StoredItem[]): void {
    const bytes = Buffer.from(JSON.stringify(items), 'utf8');
    writeSync(this.descriptor, bytes, 0, bytes.length, this.end);
    this.where.set(pk, { offset: this.end, length: bytes.length });
    this.end += bytes.length;
  }

  read(pk: string): StoredItem[] {
    const place = this.where.get(pk);
    if (place === undefined) return [];
    this.where.delete(pk);
    const bytes = Buffer.allocUnsafe(place.length);
    readSync(this.descriptor, bytes, 0, place.length, place.offset);
    return JSON.parse(bytes.toString('utf8')) as StoredItem[];
  }

  close(): void {
    process.removeListener('exit', this.removeOnExit);
    try {
      closeSync(this.descriptor);
    } catch {
      // Closed already.
    }
    rmSync(this.directory, { recursive: true, force: true });
  }
}
