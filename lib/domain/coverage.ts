/**
 * What a batch of recorded events says about coverage: per account and Region, the earliest and latest read-only
 * event. Only read-only events count (a trail that drops them still delivers ScheduleKeyDeletion), and the guard's
 * own DescribeKey and ListGrants calls are among them. Pure, so every UsageStore shares the meaning.
 */
import type { KmsEvent } from './kms-event.js';
import { READ_ONLY_OPERATIONS } from './operations.js';

export interface UsageArrival {
  readonly accountId: string;
  readonly region: string;
  /** Earliest read-only eventTime in the batch: from here on the store recorded the account's usage events. */
  readonly earliest: string;
  /** Latest read-only eventTime in the batch: the heartbeat. */
  readonly latest: string;
  readonly events: number;
}

export const isReadOnlyEvent = (event: KmsEvent): boolean => READ_ONLY_OPERATIONS.has(event.eventName);

export const usageArrivals = (events: readonly KmsEvent[]): UsageArrival[] => {
  const byPlace = new Map<string, { accountId: string; region: string; earliest: string; latest: string; events: number }>();
  for (const event of events) {
    if (!isReadOnlyEvent(event) || event.accountId === '' || event.region === '') continue;
    const place = `${event.accountId}|${event.region}`;
    const known = byPlace.get(place);
    if (known === undefined) {
      byPlace.set(place, { accountId: event.accountId, region: event.region, earliest: event.eventTime, latest: event.eventTime, events: 1 });
      continue;
    }
    if (event.eventTime < known.earliest) known.earliest = event.eventTime;
    if (event.eventTime > known.latest) known.latest = event.eventTime;
    known.events += 1;
  }
  return [...byPlace.values()].sort((a, b) => `${a.accountId}|${a.region}`.localeCompare(`${b.accountId}|${b.region}`));
};
