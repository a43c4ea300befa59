/**
 * The key record's size budget. KMS caps a key's active tags and aliases, but not how often they change: every
 * UntagResource leaves a tombstone and every Enable/Disable a transition. Old ones are dropped; the newest
 * transitions (all prior-state needs) and every live tag and alias are kept.
 */
import type { KeyRecord, Versioned } from './model.js';
import { jsonBytes } from './size-budget.js';

/** Transitions kept: far more than any prior-state or disabled-period question reaches back. */
export const MAX_HISTORY = 100;
/** A tombstone only has to outlive a late event that would resurrect the tag or alias; CloudTrail is late by minutes. */
export const TOMBSTONE_RETENTION_DAYS = 30;
export const MAX_TOMBSTONES = 50;
/** Far below DynamoDB's 400 KB: a key policy alone may be 32 KB. */
export const KEY_RECORD_BUDGET_BYTES = 200 * 1024;

const DAY_MS = 86_400_000;

/** `at`: the time of the newest event applied, the clock tombstones age against (the domain has no other). */
export const boundKeyRecord = (record: KeyRecord, at: string): KeyRecord => {
  const horizon = new Date(Date.parse(at) - TOMBSTONE_RETENTION_DAYS * DAY_MS).toISOString();
  let bounded: KeyRecord = {
    ...record,
    tags: withoutOldTombstones(record.tags, horizon, MAX_TOMBSTONES),
    aliases: withoutOldTombstones(record.aliases, horizon, MAX_TOMBSTONES),
  };
  bounded = withHistoryOf(bounded, MAX_HISTORY);
  // Whatever else grew (a hostile number of live aliases), the newest ten transitions and no tombstones still fit.
  // Up to 100 tags and aliases (128-character keys, 256-character values) cannot reach the budget: skip the count.
  const entries = Object.keys(bounded.tags).length + Object.keys(bounded.aliases).length;
  if (entries > 100 && jsonBytes(bounded) > KEY_RECORD_BUDGET_BYTES) {
    bounded = withHistoryOf({ ...bounded, tags: withoutOldTombstones(bounded.tags, at, 0), aliases: withoutOldTombstones(bounded.aliases, at, 0) }, 10);
  }
  return bounded;
};

const withHistoryOf = (record: KeyRecord, max: number): KeyRecord => {
  const excess = record.history.length - max;
  if (excess <= 0) return record;
  const newestDropped = record.history[excess - 1]?.at;
  const truncatedAt = [record.historyTruncatedAt, newestDropped].filter((at) => at !== undefined).sort().at(-1);
  return { ...record, history: record.history.slice(excess), ...(truncatedAt === undefined ? {} : { historyTruncatedAt: truncatedAt }) };
};

/** Live entries stay; tombstones (value null) older than `horizon` go, and at most `max` of the newest remain. */
const withoutOldTombstones = <T>(entries: Readonly<Record<string, Versioned<T>>>, horizon: string, max: number): Readonly<Record<string, Versioned<T>>> => {
  const tombstones = Object.entries(entries).filter(([, entry]) => entry.value === null);
  if (tombstones.length === 0) return entries;
  const kept = new Set(
    tombstones
      .filter(([, entry]) => entry.at >= horizon)
      .sort(([a, x], [b, y]) => y.at.localeCompare(x.at) || a.localeCompare(b))
      .slice(0, max)
      .map(([name]) => name),
  );
  if (kept.size === tombstones.length) return entries;
  return Object.fromEntries(Object.entries(entries).filter(([name, entry]) => entry.value !== null || kept.has(name)));
};
