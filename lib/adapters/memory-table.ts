/**
 * The single table, in the process: items by partition and sort key, the sparse gsi1, and the limits of DynamoDB
 * that matter to the guard. An item over 400 KB (names and values, counted as DynamoDB counts them) is refused,
 * as PutItem refuses it, so a replay fails wherever production would. Items are stored as given and never
 * changed in place: the stores build each new item from the stored one with the same pure functions as the
 * DynamoDB adapters.
 */
import { KmsGuardError } from '../errors.js';
import type { Item, ItemKey } from './dynamodb-occ.js';
import { MAX_ITEM_BYTES, itemSize } from './item-size.js';
import { SpillFile } from './memory-spill.js';

export interface MemoryTableOptions {
  /**
   * Bytes of items (counted as DynamoDB counts them) kept in memory; past it, the usage buckets of the keys least
   * recently touched go to a temporary file and come back when read. Unbounded when absent.
   */
  readonly residentBytes?: number;
}

/** Only usage buckets leave memory: key records, grants and decisions stay, and so does the sparse index. */
const SPILLED_SK_PREFIX = 'DAY#';

/** DynamoDB's ValidationException for an oversized item, with the item and its size named. */
export class ItemTooLargeError extends KmsGuardError {
  constructor(
    readonly key: ItemKey,
    readonly bytes: number,
  ) {
    super(
      `item ${key.pk} / ${key.sk} would be ${bytes.toLocaleString('en-US')} bytes: DynamoDB refuses items over 400 KB (${MAX_ITEM_BYTES.toLocaleString('en-US')} bytes)`,
    );
  }
}

/** A conditional write whose condition did not hold (DynamoDB's ConditionalCheckFailedException). */
export class ConditionFailedError extends KmsGuardError {
  constructor(readonly key: ItemKey) {
    super(`the conditional request on item ${key.pk} / ${key.sk} failed`);
  }
}

export type StoredItem = Item & ItemKey;

export class MemoryTable {
  private readonly partitions = new Map<string, Map<string, StoredItem>>();
  /** Partition keys in the order they were last touched, least recent first, with their usage buckets' bytes. */
  private readonly touched = new Map<string, number>();
  private resident = 0;
  private spill: SpillFile | undefined;
  private readonly spilled = new Set<string>();
  private readonly residentLimit: number;

  constructor(options: MemoryTableOptions = {}) {
    this.residentLimit = options.residentBytes ?? Number.POSITIVE_INFINITY;
  }
  /** gsi1pk → (pk\nsk → item): the sparse index holds only items that carry gsi1pk. */
  private readonly index = new Map<string, Map<string, StoredItem>>();
  private itemCount = 0;
  private writeCount = 0;

  get(key: ItemKey): StoredItem | undefined {
    if (key.sk.startsWith(SPILLED_SK_PREFIX)) this.bringBack(key.pk);
    return this.partitions.get(key.pk)?.get(key.sk);
  }

  /** PutItem: replaces the whole item. Throws ItemTooLargeError, and then nothing is written. */
  put(item: StoredItem): void {
    const bytes = itemSize(item);
    if (bytes > MAX_ITEM_BYTES) throw new ItemTooLargeError({ pk: item.pk, sk: item.sk }, bytes);
    if (item.sk.startsWith(SPILLED_SK_PREFIX)) this.bringBack(item.pk);
    let partition = this.partitions.get(item.pk);
    if (partition === undefined) {
      partition = new Map();
      this.partitions.set(item.pk, partition);
    }
    const previous = partition.get(item.sk);
    if (previous === undefined) this.itemCount += 1;
    else this.unindex(previous);
    partition.set(item.sk, item);
    if (item.sk.startsWith(SPILLED_SK_PREFIX)) {
      const before = previous === undefined ? 0 : itemSize(previous);
      this.touch(item.pk, bytes - before);
    }
    if (typeof item.gsi1pk === 'string') {
      let entries = this.index.get(item.gsi1pk);
      if (entries === undefined) {
        entries = new Map();
        this.index.set(item.gsi1pk, entries);
      }
      entries.set(`${item.pk}\n${item.sk}`, item);
    }
    this.writeCount += 1;
  }

  /** Query on the table: the partition's items whose sort key begins with the prefix, in sort-key order. */
  query(pk: string, skPrefix = ''): StoredItem[] {
    if (SPILLED_SK_PREFIX.startsWith(skPrefix) || skPrefix.startsWith(SPILLED_SK_PREFIX)) this.bringBack(pk);
    const partition = this.partitions.get(pk);
    if (partition === undefined) return [];
    const items: StoredItem[] = [];
    for (const [sk, item] of partition) if (sk.startsWith(skPrefix)) items.push(item);
    return items.sort((a, b) => compare(a.sk, b.sk));
  }

  /** Query on gsi1: the items under one gsi1pk, in gsi1sk order. */
  queryIndex(gsi1pk: string): StoredItem[] {
    const items = [...(this.index.get(gsi1pk)?.values() ?? [])];
    return items.sort((a, b) => compare(String(a.gsi1sk), String(b.gsi1sk)));
  }

  /** Whether the partition holds any item but the one with sort key `sk` (spilled usage buckets count). */
  hasItemOtherThan(pk: string, sk: string): boolean {
    if (this.spilled.has(pk)) return true;
    for (const itemSk of this.partitions.get(pk)?.keys() ?? []) if (itemSk !== sk) return true;
    return false;
  }

  /** Partition keys beginning with the prefix (a Scan projecting pk), unsorted. */
  partitionKeys(prefix: string): string[] {
    return [...this.partitions.keys()].filter((pk) => pk.startsWith(prefix));
  }

  /** Usage buckets' bytes held in memory (the rest is in the spill file). */
  get residentBytes(): number {
    return this.resident;
  }

  /** Removes the spill file; the table is empty of spilled items afterwards. */
  close(): void {
    this.spill?.close();
    this.spill = undefined;
  }

  get items(): number {
    return this.itemCount;
  }

  /** PutItem calls that succeeded, over the table's life. */
  get writes(): number {
    return this.writeCount;
  }

  /** Marks a partition as the most recently touched, then sends the least recent out until the table fits. */
  private touch(pk: string, addedBytes: number): void {
    const bytes = (this.touched.get(pk) ?? 0) + addedBytes;
    this.touched.delete(pk);
    this.touched.set(pk, bytes);
    this.resident += addedBytes;
    for (const [coldest, coldBytes] of this.touched) {
      if (this.resident <= this.residentLimit || coldest === pk) break;
      this.sendOut(coldest, coldBytes);
    }
  }

  private sendOut(pk: string, bytes: number): void {
    const partition = this.partitions.get(pk);
    this.touched.delete(pk);
    this.resident -= bytes;
    if (partition === undefined) return;
    const days = [...partition.values()].filter((item) => item.sk.startsWith(SPILLED_SK_PREFIX));
    this.spill ??= new SpillFile();
    this.spill.write(pk, days);
    for (const day of days) partition.delete(day.sk);
    this.spilled.add(pk);
  }

  private bringBack(pk: string): void {
    if (!this.spilled.has(pk) || this.spill === undefined) return;
    this.spilled.delete(pk);
    let partition = this.partitions.get(pk);
    if (partition === undefined) {
      partition = new Map();
      this.partitions.set(pk, partition);
    }
    let bytes = 0;
    for (const item of this.spill.read(pk)) {
      partition.set(item.sk, item);
      bytes += itemSize(item);
    }
    this.touch(pk, bytes);
  }

  private unindex(item: StoredItem): void {
    if (typeof item.gsi1pk === 'string') this.index.get(item.gsi1pk)?.delete(`${item.pk}\n${item.sk}`);
  }
}

/** DynamoDB orders string keys by their UTF-8 bytes; for the ASCII keys of this table that is code-unit order. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The `version` the next write of an item carries (optimistic concurrency in the DynamoDB adapters). */
export const nextVersion = (stored: Item | undefined): number => (typeof stored?.version === 'number' ? stored.version : 0) + 1;
