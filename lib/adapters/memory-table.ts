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
  /** gsi1pk → (pk\nsk → item): the sparse index holds only items that carry gsi1pk. */
  private readonly index = new Map<string, Map<string, StoredItem>>();
  private itemCount = 0;
  private writeCount = 0;

  get(key: ItemKey): StoredItem | undefined {
    return this.partitions.get(key.pk)?.get(key.sk);
  }

  /** PutItem: replaces the whole item. Throws ItemTooLargeError, and then nothing is written. */
  put(item: StoredItem): void {
    const bytes = itemSize(item);
    if (bytes > MAX_ITEM_BYTES) throw new ItemTooLargeError({ pk: item.pk, sk: item.sk }, bytes);
    let partition = this.partitions.get(item.pk);
    if (partition === undefined) {
      partition = new Map();
      this.partitions.set(item.pk, partition);
    }
    const previous = partition.get(item.sk);
    if (previous === undefined) this.itemCount += 1;
    else this.unindex(previous);
    partition.set(item.sk, item);
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

  /** Partition keys beginning with the prefix (a Scan projecting pk), unsorted. */
  partitionKeys(prefix: string): string[] {
    return [...this.partitions.keys()].filter((pk) => pk.startsWith(prefix));
  }

  get items(): number {
    return this.itemCount;
  }

  /** PutItem calls that succeeded, over the table's life. */
  get writes(): number {
    return this.writeCount;
  }

  private unindex(item: StoredItem): void {
    if (typeof item.gsi1pk === 'string') this.index.get(item.gsi1pk)?.delete(`${item.pk}\n${item.sk}`);
  }
}

/** DynamoDB orders string keys by their UTF-8 bytes; for the ASCII keys of this table that is code-unit order. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The `version` the next write of an item carries (optimistic concurrency in the DynamoDB adapters). */
export const nextVersion = (stored: Item | undefined): number => (typeof stored?.version === 'number' ? stored.version : 0) + 1;
