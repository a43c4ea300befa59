/**
 * Records a batch of KMS events: usage, key state and grants, coalesced by the store into one write per item.
 * Callers hand in the whole batch at once; recording per event would cost one write per event.
 */
import type { KmsEvent } from '../domain/kms-event.js';
import type { RecordResult, UsageStore } from '../domain/ports.js';

export interface RecordEventsDeps {
  readonly usage: UsageStore;
}

export const recordEvents = async (deps: RecordEventsDeps, events: readonly KmsEvent[]): Promise<RecordResult> =>
  events.length === 0 ? { recorded: 0, duplicates: 0, writes: 0, keyBatches: 0 } : deps.usage.record(events);

/** The keys whose store items an event touches: a StoreWriteError naming one of them means it was not recorded. */
export const touchesAny = (event: KmsEvent, keyArns: ReadonlySet<string>): boolean =>
  event.keyArns.some((keyArn) => keyArns.has(keyArn));
