/**
 * UsageStore on the single table. A batch is coalesced (record-plan.ts): one optimistic read-modify-write per
 * (key, day) usage bucket, one per key record touched by lifecycle events, one per grant. So N events over K keys cost about K
 * writes, never N. The batch's items are read together (BatchGetItem, 100 a request), then each is written with
 * a version-conditioned PutItem; only an item that lost a race is read again on its own.
 * RecordResult counts events that reach an item: `recorded` when new to at least one item, `duplicates` when
 * every item had them already. Events that touch no item (a successful DescribeKey, an event naming no key)
 * count in neither.
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { KmsEvent } from '../domain/kms-event.js';
import type { KeyRecord, KeyUsageSummary } from '../domain/model.js';
import { listNonUseCalls } from '../domain/non-use-calls.js';
import type { Coverage, RecordResult, UsageStore } from '../domain/ports.js';
import { summarizeUsage } from '../domain/usage-summary.js';
import { DynamoDbCoverageStore } from './dynamodb-coverage-store.js';
import { nonUseKey, readKeyRecord, readNonUseCalls, readUsageDay, stateKey } from './dynamodb-items.js';
import { BATCH_GET_LIMIT, type ItemKey, type OccOptions, type Prefetched, batchGetItems, itemKeyId, readModifyWrite } from './dynamodb-occ.js';
import { queryAll, scanAll } from './dynamodb-pages.js';
import { GSI1, GSI1_PENDING_DELETION, NON_USE_SK, daySk, keyPk } from './dynamodb-table.js';
import { planRecord, recordCoverage, recordResult } from './record-plan.js';

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
    const changes = planRecord(events);
    const reads = await this.readAll(changes.map((change) => change.key));
    const outcomes = await runPooled(
      changes.map((change) => ({
        run: async () => {
          const read = reads.get(itemKeyId(change.key));
          if (read !== undefined && 'error' in read) throw read.error;
          let newRefs: ReadonlySet<number> = new Set();
          const { writes } = await readModifyWrite(this.client, this.tableName, change.key, (stored) => {
            const applied = change.apply(stored);
            newRefs = applied.newRefs;
            return applied.item;
          }, this.options, read);
          return { writes, newRefs };
        },
      })),
      this.concurrency(),
    );
    const result = recordResult(changes, outcomes);
    const coverageWrites = await recordCoverage(this.coverage, events, this.options.keepsCoverage);
    return { ...result, writes: result.writes + coverageWrites };
  }

  getCoverage(accountId: string, region: string): Promise<Coverage | undefined> {
    return this.coverage.getCoverage(accountId, region);
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
      // A key known only from a DescribeKey (its non-use record) is not a key the store holds a record or usage for.
      FilterExpression: 'begins_with(pk, :key) AND sk <> :nonUse',
      ExpressionAttributeValues: { ':key': keyPk(''), ':nonUse': NON_USE_SK },
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

}

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
