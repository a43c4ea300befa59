/**
 * One unit of sweep work: one sweep of one account and Region, or the rest of it (from a ListKeys marker) when the
 * worker before ran out of time. Work items are queued per sweep kind, account and Region (the FIFO message group),
 * so one account's items of one kind run one at a time and never share its KMS budget unknowingly.
 */

export type SweepKind = 'deletion-sweep' | 'grant-sweep';

/**
 * Which keys a grant sweep reconciles: those the store holds active grants for (hourly), or every key KMS lists, to
 * discover grants the guard never saw created (once a day per account and Region).
 */
export type GrantSweepScope = 'known-grants' | 'all-keys';

export interface SweepWorkItem {
  readonly kind: SweepKind;
  readonly accountId: string;
  readonly region: string;
  /** The hour the planner planned this sweep for (ISO instant). Every part of one sweep carries the same. */
  readonly plannedAt: string;
  /** Grant sweeps only. */
  readonly scope?: GrantSweepScope;
  /** Where the listing continues (ListKeys Marker); absent: from the start. */
  readonly marker?: string;
  /** Keys of the page at `marker` already swept by the worker before (it stopped mid-page); absent: none. */
  readonly offset?: number;
  /** 0 for the planner's item, then 1, 2… for each hand-over. */
  readonly part: number;
}

/** The queue's message group: one sweep kind in one account and Region (the two kinds share the budget by halves). */
export const messageGroupOf = (item: Pick<SweepWorkItem, 'kind' | 'accountId' | 'region'>): string => `${item.kind}/${item.accountId}/${item.region}`;

/** Identical for a re-sent item (a planner retry, a worker that crashed after handing over), so the queue drops it. */
export const deduplicationIdOf = (item: SweepWorkItem): string =>
  [item.kind, item.scope ?? 'all', item.accountId, item.region, item.plannedAt, String(item.part)].join('/').slice(0, 128);

/** How often a sweep of this kind and scope is planned: a fresh item older than that is superseded by a newer one. */
export const sweepPeriodMs = (item: Pick<SweepWorkItem, 'kind' | 'scope'>): number =>
  item.kind === 'grant-sweep' && item.scope === 'all-keys' ? 24 * 3_600_000 : 3_600_000;

/**
 * A sweep that has not started after a whole period waited behind the account's earlier work; the planner has
 * queued the next one behind it, so starting this one would only stack sweeps. A sweep already under way (part > 0)
 * is always finished.
 */
export const isSuperseded = (item: SweepWorkItem, now: Date): boolean =>
  item.part === 0 && now.getTime() - Date.parse(item.plannedAt) >= sweepPeriodMs(item);

/** The item that carries on from `marker`, `offset` keys into its page. */
export const continuationOf = (item: SweepWorkItem, marker: string | undefined, offset: number): SweepWorkItem => {
  const { marker: _marker, offset: _offset, ...rest } = item;
  return { ...rest, ...(marker === undefined ? {} : { marker }), ...(offset === 0 ? {} : { offset }), part: item.part + 1 };
};
