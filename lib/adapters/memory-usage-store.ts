/**
 * UsageStore in the process, for `kms-guard replay`. Each batch changes the same items as the DynamoDB store
 * (record-plan.ts): one write per (key, day) bucket, key record and grant, each refused when over 400 KB. A write
 * is atomic (JavaScript runs it to the end before another batch starts), so concurrent batches lose nothing.
 */
import type { KmsEvent } from '../domain/kms-event.js';
import type { KeyRecord, KeyUsageSummary } from '../domain/model.js';
import type { RecordResult, UsageStore } from '../domain/ports.js';
import { summarizeUsage } from '../domain/usage-summary.js';
import { readKeyRecord, readUsageDay, stateKey } from './dynamodb-items.js';
import { GSI1_PENDING_DELETION, daySk, keyPk } from './dynamodb-table.js';
import { type MemoryTable, nextVersion } from './memory-table.js';
import { type ChangeOutcome, planRecord, recordResult } from './record-plan.js';

export class MemoryUsageStore implements UsageStore {
  constructor(private readonly table: MemoryTable) {}

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
    return recordResult(changes, outcomes);
  }

  async getKey(keyArn: string): Promise<KeyRecord | undefined> {
    return readKeyRecord(this.table.get(stateKey(keyArn)));
  }

  async getUsage(keyArn: string): Promise<KeyUsageSummary> {
    return summarizeUsage(keyArn, this.table.query(keyPk(keyArn), daySk('')).flatMap((item) => readUsageDay(item) ?? []));
  }

  async listKeyArns(): Promise<string[]> {
    const prefix = keyPk('');
    return this.table
      .partitionKeys(prefix)
      .map((pk) => pk.slice(prefix.length))
      .sort();
  }

  async listKeysPendingDeletion(): Promise<KeyRecord[]> {
    return this.table.queryIndex(GSI1_PENDING_DELETION).flatMap((item) => readKeyRecord(item) ?? []);
  }
}
