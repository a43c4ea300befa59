/**
 * What the hourly planner queues: a deletion sweep and a grant sweep for every watched account in the guard's
 * Region. The grant sweep reconciles the keys with known grants every hour and lists every key's grants once a day,
 * each account and Region at its own hour of the day so the daily listings spread over the day.
 */
import type { SweepWorkItem } from './work-item.js';

export interface SweepPlanInput {
  /** The guard's own account, the listed members and the organization's active accounts (duplicates allowed). */
  readonly accountIds: readonly string[];
  readonly region: string;
  readonly now: Date;
}

/** The planned hour: the same for every retry of one scheduled run. */
export const plannedHour = (now: Date): string => `${now.toISOString().slice(0, 13)}:00:00.000Z`;

/** FNV-1a: a stable hour of the day per account and Region. */
export const discoveryHourOf = (accountId: string, region: string): number => {
  let hash = 0x811c9dc5;
  for (const char of `${accountId}/${region}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 24;
};

export const planSweeps = ({ accountIds, region, now }: SweepPlanInput): SweepWorkItem[] => {
  const plannedAt = plannedHour(now);
  const hour = now.getUTCHours();
  return [...new Set(accountIds)].sort().flatMap((accountId): SweepWorkItem[] => [
    { kind: 'deletion-sweep', accountId, region, plannedAt, part: 0 },
    { kind: 'grant-sweep', accountId, region, plannedAt, part: 0, scope: discoveryHourOf(accountId, region) === hour ? 'all-keys' : 'known-grants' },
  ]);
};
