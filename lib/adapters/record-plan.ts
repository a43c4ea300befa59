/**
 * What recording a batch does to the single table's items, apart from how the items are read and written: one
 * change per (key, day) usage bucket, per key record touched by lifecycle events, per grant and per key's non-use
 * record, each a pure
 * function of the stored item. The DynamoDB store runs each change under optimistic concurrency; the in-memory
 * store runs it on its map. Sharing the plan is what keeps the two stores' items (and so their sizes) identical.
 */
import { fingerprint } from '../domain/fingerprint.js';
import { applyGrantEvent, grantChange } from '../domain/grant-ledger.js';
import type { KmsEvent } from '../domain/kms-event.js';
import { applyLifecycleEvent, isLifecycleEvent } from '../domain/key-state.js';
import type { CoverageStore, RecordResult } from '../domain/ports.js';
import { usageArrivals } from '../domain/coverage.js';
import { foldUsage, mergeUsage } from '../domain/usage.js';
import { StoreWriteError } from '../errors.js';
import { applyNonUseCall, nonUseCallKeys } from '../domain/non-use-calls.js';
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
import type { Item, ItemKey } from './dynamodb-occ.js';

/** The item to write (without key and version; undefined when nothing changes) and the refs new to it. */
export interface AppliedChange {
  readonly item: Item | undefined;
  readonly newRefs: ReadonlySet<number>;
}

/** One item's share of a batch: which key it belongs to, which events (by batch index) it carries. */
export interface ItemChange {
  readonly keyArn: string;
  readonly refs: readonly number[];
  readonly key: ItemKey;
  /** Pure; may run more than once (a lost race runs it again on the newer item). */
  apply(stored: Item | undefined): AppliedChange;
}

export const planRecord = (events: readonly KmsEvent[]): ItemChange[] => [
  ...usageChanges(events),
  ...stateChanges(events),
  ...grantChanges(events),
  ...nonUseChanges(events),
];

/** How each change ended: the writes it issued and its new refs, or why it failed. */
export type ChangeOutcome = PromiseSettledResult<{ readonly writes: number; readonly newRefs: ReadonlySet<number> }>;

/**
 * RecordResult from the changes' outcomes: `recorded` events new to at least one item, `duplicates` events every
 * item had already. Throws a StoreWriteError naming the keys of failed changes.
 */
export const recordResult = (changes: readonly ItemChange[], outcomes: readonly ChangeOutcome[]): RecordResult => {
  const failedKeys = new Set<string>();
  const touched = new Set<number>();
  const recorded = new Set<number>();
  let writes = 0;
  let firstError: unknown;
  outcomes.forEach((outcome, index) => {
    const change = changes[index];
    if (change === undefined) return;
    change.refs.forEach((ref) => touched.add(ref));
    if (outcome.status === 'rejected') {
      failedKeys.add(change.keyArn);
      firstError ??= outcome.reason;
      return;
    }
    writes += outcome.value.writes;
    outcome.value.newRefs.forEach((ref) => recorded.add(ref));
  });
  if (failedKeys.size > 0) throw new StoreWriteError([...failedKeys].sort(), { cause: firstError });
  return {
    recorded: recorded.size,
    duplicates: touched.size - recorded.size,
    writes,
    keyBatches: new Set(changes.map((change) => change.keyArn)).size,
  };
};

const usageChanges = (events: readonly KmsEvent[]): ItemChange[] =>
  foldUsage(events).map((delta) => ({
    keyArn: delta.keyArn,
    refs: delta.entries.map((entry) => entry.ref),
    key: usageKey(delta.keyArn, delta.day),
    apply: (stored) => {
      const merged = mergeUsage(readUsageDay(stored), delta);
      return { item: merged.newRefs.size === 0 ? undefined : usageItem(merged.day), newRefs: merged.newRefs };
    },
  }));

const stateChanges = (events: readonly KmsEvent[]): ItemChange[] => {
  const byKey = groupRefs(events, (event) => (isLifecycleEvent(event) ? event.keyArns : []));
  return [...byKey].map(([keyArn, refs]) => ({
    keyArn,
    refs,
    key: stateKey(keyArn),
    apply: (stored) =>
      applyOnce(stored, refs, events, { read: readKeyRecord, apply: (record, event) => applyLifecycleEvent(record, keyArn, event), toItem: keyItem }),
  }));
};

const grantChanges = (events: readonly KmsEvent[]): ItemChange[] => {
  const byGrant = groupRefs(events, (event) => {
    const change = grantChange(event);
    return change === undefined ? [] : [`${change.keyArn}\n${change.grantId}`];
  });
  return [...byGrant].map(([id, refs]) => {
    const [keyArn = '', grantId = ''] = id.split('\n');
    return {
      keyArn,
      refs,
      key: grantKey(keyArn, grantId),
      apply: (stored: Item | undefined) => applyOnce(stored, refs, events, { read: readGrant, apply: applyGrantEvent, toItem: grantItem }),
    };
  });
};

/** Who last called DescribeKey, CreateGrant or RetireGrant on a key: grant evidence, never use (non-use-calls.ts). */
const nonUseChanges = (events: readonly KmsEvent[]): ItemChange[] => {
  const byKey = groupRefs(events, nonUseCallKeys);
  return [...byKey].map(([keyArn, refs]) => ({
    keyArn,
    refs,
    key: nonUseKey(keyArn),
    apply: (stored: Item | undefined) =>
      applyOnce(stored, refs, events, { read: readNonUseCalls, apply: (record, event) => applyNonUseCall(record, keyArn, event), toItem: nonUseItem }),
  }));
};

/**
 * Folds a batch's events into one item, skipping eventIDs the item has applied already (its `appliedEventIds`
 * fingerprints).
 */
const applyOnce = <T>(
  stored: Item | undefined,
  refs: readonly number[],
  events: readonly KmsEvent[],
  codec: {
    read: (item: Item | undefined) => T | undefined;
    apply: (current: T | undefined, event: KmsEvent) => T | undefined;
    toItem: (value: T, appliedEventIds: readonly string[]) => Item;
  },
): AppliedChange => {
  const newRefs = new Set<number>();
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
  return { item: newRefs.size === 0 || current === undefined ? undefined : codec.toItem(current, applied), newRefs };
};

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

/**
 * Coverage says "recorded here", so it is written only after every item of the batch was: the earliest event widens
 * the watched window, the latest is the usage arrival. The number of coverage writes (two per account and Region).
 */
export const recordCoverage = async (coverage: CoverageStore, events: readonly KmsEvent[], keepsCoverage: boolean | undefined): Promise<number> => {
  let writes = 0;
  for (const arrival of keepsCoverage === false ? [] : usageArrivals(events)) {
    await coverage.widenWatchedSince(arrival.accountId, arrival.region, arrival.earliest);
    await coverage.recordUsageArrival(arrival.accountId, arrival.region, arrival.latest);
    writes += 2;
  }
  return writes;
};
