/**
 * UsageStore in the process, for `kms-guard replay`. Each batch changes the same items as the DynamoDB store
 * (record-plan.ts): one write per (key, day) bucket, key record and grant, each refused when over 400 KB. A write
 * is atomic (JavaScript runs it to the end before another batch starts), so concurrent batches lose nothing.
 */
import type { KmsEvent } from '../domain/kms-event.js';
import type { KeyRecord, KeyUsageSummary } from '../domain/model.js';
import { listNonUseCalls } from '../domain/non-use-calls.js';
import type { Coverage, RecordResult, UsageStore } from '../domain/ports.js';
import { summarizeUsage } from '../domain/usage-summary.js';
import { nonUseKey, readKeyRecord, readNonUseCalls, readUsageDay, stateKey } from './dynamodb-items.js';
import { MemoryCoverageStore } from './memory-coverage-store.js';
import { GSI1_PENDING_DELETION, NON_USE_SK, daySk, keyPk } from './dynamodb-table.js';
import { type MemoryTable, nextVersion } from './memory-table.js';
import { type ChangeOutcome, planRecord, recordCoverage, recordResult } from './record-plan.js';

export interface MemoryUsageStoreOptions {
  /** As DynamoDbUsageStore's: whether recording moves coverage (live tracking and replay: yes). Default true. */
  readonly keepsCoverage?: boolean;
}

export class MemoryUsageStore implements UsageStore {
  private readonly coverage: MemoryCoverageStore;

  constructor(
    private readonly table: MemoryTable,
    private readonly options: MemoryUsageStoreOptions = {},
  ) {
    this.coverage = new MemoryCoverageStore(table);
  }

  async record(events: readonly KmsEvent[]): Promise<RecordResult> {
    const changes = planRecord(events);
    const outcomes = changes.map((change): ChangeOutcome => {
      try {
        const stored = this.table.get(change.key);
        const { item, newRefs } = change.apply(stored);
        if (item !== undefined) this.table.put({ ...item, ...change.key, version: nextVersion(stored) });
        return { status: 'fulfilled', value: { writes: item === undefined ? 0 : 1, newRefs } };
      } catch (reason) {
        return { status: 'rejected', reason };
      }
    });
    const result = recordResult(changes, outcomes);
    const coverageWrites = await recordCoverage(this.coverage, events, this.options.keepsCoverage);
    return { ...result, writes: result.writes + coverageWrites };
  }

  getCoverage(accountId: string, region: string): Promise<Coverage | undefined> {
    return this.coverage.getCoverage(accountId, region);
  }

  async getKey(keyArn: string): Promise<KeyRecord | undefined> {
    return readKeyRecord(this.table.get(stateKey(keyArn)));
  }

  async getUsage(keyArn: string): Promise<KeyUsageSummary> {
    const summary = summarizeUsage(keyArn, this.table.query(keyPk(keyArn), daySk('')).flatMap((item) => readUsageDay(item) ?? []));
    const nonUseCalls = listNonUseCalls(readNonUseCalls(this.table.get(nonUseKey(keyArn))));
    return nonUseCalls.length === 0 ? summary : { ...summary, nonUseCalls };
  }

  async listKeyArns(): Promise<string[]> {
    const prefix = keyPk('');
    // A key known only from a DescribeKey (its non-use record) is not a key the store holds a record or usage for.
    return this.table
      .partitionKeys(prefix)
      .filter((pk) => this.table.hasItemOtherThan(pk, NON_USE_SK))
      .map((pk) => pk.slice(prefix.length))
      .sort();
  }

  async listKeysPendingDeletion(): Promise<KeyRecord[]> {
    return this.table.queryIndex(GSI1_PENDING_DELETION).flatMap((item) => readKeyRecord(item) ?? []);
  }
}
