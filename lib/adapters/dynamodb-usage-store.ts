/**
 * UsageStore on the single table. A batch is coalesced: one optimistic read-modify-write per (key, day) usage
 * bucket, one per key record touched by lifecycle events, one per grant. So N events over K keys cost about K
 * writes, never N. The batch's items are read together (BatchGetItem, 100 a request), then each is written with
 * a version-conditioned PutItem; only an item that lost a race is read again on its own.
 * RecordResult counts events that reach an item: `recorded` when new to at least one item, `duplicates` when
 * every item had them already. Events that touch no item (a successful ListKeys, an event naming no key)
 * count in neither. Successful DescribeKey, CreateGrant and RetireGrant calls also update the key's non-use
 * record (lib/domain/non-use-calls.ts), one write per key and batch: grant evidence, never usage.
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { usageArrivals } from '../domain/coverage.js';
import { StoreWriteError } from '../errors.js';
import { fingerprint } from '../domain/fingerprint.js';
import { applyGrantEvent, grantChange } from '../domain/grant-ledger.js';
import type { KmsEvent } from '../domain/kms-event.js';
import { applyLifecycleEvent, isLifecycleEvent } from '../domain/key-state.js';
import type { KeyRecord, KeyUsageSummary } from '../domain/model.js';
import type { Coverage, RecordResult, UsageStore } from '../domain/ports.js';
import { applyNonUseCall, listNonUseCalls, nonUseCallKeys } from '../domain/non-use-calls.js';
import { DynamoDbCoverageStore } from './dynamodb-coverage-store.js';
import { foldUsage, mergeUsage } from '../domain/usage.js';
import { summarizeUsage } from '../domain/usage-summary.js';
import {
  grantItem,
  grantKey,
  keyItem,
  nonUseItem,
  nonUseKey,
  readGrant,
  readKeyRecord,
  readNonUseCalls,
  readUsageDay,
  stateKey,
  strings,
  usageItem,
  usageKey,
} from './dynamodb-items.js';
import {
  BATCH_GET_LIMIT,
  type Item,
  type ItemKey,
  type OccOptions,
  type Prefetched,
  batchGetItems,
  itemKeyId,
  readModifyWrite,
} from './dynamodb-occ.js';
import { queryAll, scanAll } from './dynamodb-pages.js';
import { GSI1, GSI1_PENDING_DELETION, daySk, keyPk } from './dynamodb-table.js';

/** One item's share of a batch: which key it belongs to, which events (by batch index) it carries. */
interface WriteTask {
  readonly keyArn: string;
  readonly refs: readonly number[];
  readonly key: ItemKey;
  /** Writes the item, starting from `prefetched` when given; returns the refs recorded for the first time. */
  run(prefetched: Prefetched | undefined): Promise<{ writes: number; newRefs: ReadonlySet<number> }>;
}

/** A batched read's answer for one item: what was stored, or why the read failed. */
type Read = Prefetched | { readonly error: unknown };

export interface UsageStoreOptions extends OccOptions {
  /** Items written at the same time within one batch. */
  readonly concurrency?: number;
  /**
   * Whether recording moves coverage (watched-since, heartbeat). True for live tracking, which sees every event from
   * its first batch on. False for the backfill: its objects come in any order and some may fail, so only its summary
   * may widen coverage, and only when nothing failed (lib/backfill/coverage-decision.ts). Default true.
   */
  readonly keepsCoverage?: boolean;
}

export class DynamoDbUsageStore implements UsageStore {
  /** Coverage of what this store recorded, kept on the same table (ports.ts UsageStore.record). */
  readonly coverage: DynamoDbCoverageStore;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: UsageStoreOptions = {},
  ) {
    this.coverage = new DynamoDbCoverageStore(client, tableName);
  }

  async record(events: readonly KmsEvent[]): Promise<RecordResult> {
    const tasks = [...this.usageTasks(events), ...this.stateTasks(events), ...this.grantTasks(events), ...this.nonUseTasks(events)];
    const reads = await this.readAll(tasks.map((task) => task.key));
    const outcomes = await runPooled(
      tasks.map((task) => ({
        run: async () => {
          const read = reads.get(itemKeyId(task.key));
          if (read !== undefined && 'error' in read) throw read.error;
          return task.run(read);
        },
      })),
      this.concurrency(),
    );
    const failedKeys = new Set<string>();
    const touched = new Set<number>();
    const recorded = new Set<number>();
    let writes = 0;
    let firstError: unknown;
    outcomes.forEach((outcome, index) => {
      const task = tasks[index];
      if (task === undefined) return;
      task.refs.forEach((ref) => touched.add(ref));
      if (outcome.status === 'rejected') {
        failedKeys.add(task.keyArn);
        firstError ??= outcome.reason;
        return;
      }
      writes += outcome.value.writes;
      outcome.value.newRefs.forEach((ref) => recorded.add(ref));
    });
    if (failedKeys.size > 0) throw new StoreWriteError([...failedKeys].sort(), { cause: firstError });
    // Only after every item was written: coverage says "recorded here".
    for (const arrival of this.options.keepsCoverage === false ? [] : usageArrivals(events)) {
      await this.coverage.widenWatchedSince(arrival.accountId, arrival.region, arrival.earliest);
      await this.coverage.recordUsageArrival(arrival.accountId, arrival.region, arrival.latest);
      writes += 2;
    }
    return {
      recorded: recorded.size,
      duplicates: touched.size - recorded.size,
      writes,
      keyBatches: new Set(tasks.map((task) => task.keyArn)).size,
    };
  }

  /**
   * Reads the items in BatchGetItem requests. A request that fails fails its items (they are named in the
   * StoreWriteError, not read again one by one against a store that is down); an item left unprocessed is
   * absent, and its task reads it alone.
   */
  private async readAll(keys: readonly ItemKey[]): Promise<Map<string, Read>> {
    const unique = [...new Map(keys.map((key) => [itemKeyId(key), key])).values()];
    const chunks: ItemKey[][] = [];
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) chunks.push(unique.slice(start, start + BATCH_GET_LIMIT));
    const outcomes = await runPooled(
      chunks.map((chunk) => ({ run: () => batchGetItems(this.client, this.tableName, chunk, this.options) })),
      this.concurrency(),
    );
    const reads = new Map<string, Read>();
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'fulfilled') outcome.value.forEach((read, id) => reads.set(id, read));
      else chunks[index]?.forEach((key) => reads.set(itemKeyId(key), { error: outcome.reason }));
    });
    return reads;
  }

  private concurrency(): number {
    return this.options.concurrency ?? 16;
  }

  getCoverage(accountId: string, region: string): Promise<Coverage | undefined> {
    return this.coverage.getCoverage(accountId, region);
  }

  async getKey(keyArn: string): Promise<KeyRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: stateKey(keyArn) }));
    return readKeyRecord(Item);
  }

  async getUsage(keyArn: string): Promise<KeyUsageSummary> {
    const [items, nonUse] = await Promise.all([
      queryAll(this.client, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :day)',
        ExpressionAttributeValues: { ':pk': keyPk(keyArn), ':day': daySk('') },
      }),
      this.client.send(new GetCommand({ TableName: this.tableName, Key: nonUseKey(keyArn) })),
    ]);
    const summary = summarizeUsage(keyArn, items.flatMap((item) => readUsageDay(item) ?? []));
    const nonUseCalls = listNonUseCalls(readNonUseCalls(nonUse.Item));
    return nonUseCalls.length === 0 ? summary : { ...summary, nonUseCalls };
  }

  /** A Scan of partition keys: run at sweep cadence over a few thousand keys (see dynamodb-table.ts). */
  async listKeyArns(): Promise<string[]> {
    const items = await scanAll(this.client, {
      TableName: this.tableName,
      ProjectionExpression: 'pk',
      FilterExpression: 'begins_with(pk, :key)',
      ExpressionAttributeValues: { ':key': keyPk('') },
    });
    const arns = items.flatMap((item) => (typeof item.pk === 'string' ? [item.pk.slice(keyPk('').length)] : []));
    return [...new Set(arns)].sort();
  }

  async listKeysPendingDeletion(): Promise<KeyRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :pending',
      ExpressionAttributeValues: { ':pending': GSI1_PENDING_DELETION },
    });
    return items.flatMap((item) => readKeyRecord(item) ?? []);
  }

  private usageTasks(events: readonly KmsEvent[]): WriteTask[] {
    return foldUsage(events).map((delta) => {
      const key = usageKey(delta.keyArn, delta.day);
      return {
        keyArn: delta.keyArn,
        refs: delta.entries.map((entry) => entry.ref),
        key,
        run: async (prefetched) => {
          let newRefs: ReadonlySet<number> = new Set();
          const { writes } = await readModifyWrite(this.client, this.tableName, key, (stored) => {
            const merged = mergeUsage(readUsageDay(stored), delta);
            newRefs = merged.newRefs;
            return merged.newRefs.size === 0 ? undefined : usageItem(merged.day);
          }, this.options, prefetched);
          return { writes, newRefs };
        },
      };
    });
  }

  private stateTasks(events: readonly KmsEvent[]): WriteTask[] {
    const byKey = groupRefs(events, (event) => (isLifecycleEvent(event) ? event.keyArns : []));
    return [...byKey].map(([keyArn, refs]) => {
      const key = stateKey(keyArn);
      return {
        keyArn,
        refs,
        key,
        run: (prefetched) =>
          this.applyOnce(key, refs, events, prefetched, {
            read: readKeyRecord,
            apply: (record, event) => applyLifecycleEvent(record, keyArn, event),
            toItem: keyItem,
          }),
      };
    });
  }

  private grantTasks(events: readonly KmsEvent[]): WriteTask[] {
    const byGrant = groupRefs(events, (event) => {
      const change = grantChange(event);
      return change === undefined ? [] : [`${change.keyArn}\n${change.grantId}`];
    });
    return [...byGrant].map(([id, refs]) => {
      const [keyArn = '', grantId = ''] = id.split('\n');
      const key = grantKey(keyArn, grantId);
      return {
        keyArn,
        refs,
        key,
        run: (prefetched: Prefetched | undefined) =>
          this.applyOnce(key, refs, events, prefetched, { read: readGrant, apply: applyGrantEvent, toItem: grantItem }),
      };
    });
  }

  private nonUseTasks(events: readonly KmsEvent[]): WriteTask[] {
    const byKey = groupRefs(events, nonUseCallKeys);
    return [...byKey].map(([keyArn, refs]) => {
      const key = nonUseKey(keyArn);
      return {
        keyArn,
        refs,
        key,
        run: (prefetched) =>
          this.applyOnce(key, refs, events, prefetched, {
            read: readNonUseCalls,
            apply: (record, event) => applyNonUseCall(record, keyArn, event),
            toItem: nonUseItem,
          }),
      };
    });
  }

  /**
   * Folds a batch's events into one item and writes it once, skipping eventIDs the item has applied already
   * (its `appliedEventIds` fingerprints).
   */
  private async applyOnce<T>(
    key: ItemKey,
    refs: readonly number[],
    events: readonly KmsEvent[],
    prefetched: Prefetched | undefined,
    codec: {
      read: (item: Item | undefined) => T | undefined;
      apply: (current: T | undefined, event: KmsEvent) => T | undefined;
      toItem: (value: T, appliedEventIds: readonly string[]) => Item;
    },
  ): Promise<{ writes: number; newRefs: ReadonlySet<number> }> {
    let newRefs = new Set<number>();
    const { writes } = await readModifyWrite(this.client, this.tableName, key, (stored) => {
      newRefs = new Set();
      const applied = strings(stored?.appliedEventIds);
      const seen = new Set(applied);
      let current = codec.read(stored);
      for (const ref of refs) {
        const event = events[ref];
        const id = event === undefined ? undefined : fingerprint(event.eventId);
        if (event === undefined || id === undefined || seen.has(id)) continue;
        seen.add(id);
        applied.push(id);
        current = codec.apply(current, event) ?? current;
        newRefs.add(ref);
      }
      return newRefs.size === 0 || current === undefined ? undefined : codec.toItem(current, applied);
    }, this.options, prefetched);
    return { writes, newRefs };
  }
}

const groupRefs = (events: readonly KmsEvent[], keysOf: (event: KmsEvent) => readonly string[]): Map<string, number[]> => {
  const groups = new Map<string, number[]>();
  events.forEach((event, ref) => {
    for (const key of new Set(keysOf(event))) {
      const refs = groups.get(key) ?? [];
      refs.push(ref);
      groups.set(key, refs);
    }
  });
  return groups;
};

const runPooled = async <T>(tasks: readonly { run(): Promise<T> }[], concurrency: number): Promise<PromiseSettledResult<T>[]> => {
  const results: PromiseSettledResult<T>[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      const task = tasks[index];
      if (task === undefined) continue;
      results[index] = await task.run().then(
        (value): PromiseSettledResult<T> => ({ status: 'fulfilled', value }),
        (reason: unknown): PromiseSettledResult<T> => ({ status: 'rejected', reason }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  return results;
};
