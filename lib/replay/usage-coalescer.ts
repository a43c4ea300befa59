/**
 * Coalescing across the whole replay. A decision needs the usage of its own key before its eventTime, nothing more,
 * so usage is held in memory per key and written (one write per key and day) only when something reads that key's
 * usage, when the held usage reaches its memory share, or at the end. Lifecycle and grant events are written at
 * once: they are few, the store applies them in any order alike, and decisions read key records and grants
 * directly. Writes then approach the number of distinct (key, day) buckets instead of (key, day, batch).
 */
import { grantChange } from '../domain/grant-ledger.js';
import { isLifecycleEvent } from '../domain/key-state.js';
import type { Caller, KmsEvent } from '../domain/kms-event.js';
import type { KeyUsageSummary, KeyRecord } from '../domain/model.js';
import { isReadOnlyEvent } from '../domain/coverage.js';
import { isNonUseCall } from '../domain/non-use-calls.js';
import type { Coverage, CoverageStore, RecordResult, UsageStore } from '../domain/ports.js';
import { isUsageEvent } from '../domain/usage.js';
import { NOT_CARRIED } from './run-line.js';

/** A rough cost of one held event (the compact object, its id and time, the list slot); only the budget uses it. */
const HELD_EVENT_BYTES = 240;



/** Events that could not be written: all of a key's held events, or one lifecycle or grant event. */
export interface UnrecordedEvents<Origin> {
  readonly keyArn?: string;
  readonly events: number;
  /** Where the first of them was read. */
  readonly origin: Origin;
  readonly error: unknown;
}

interface Held<Origin> {
  readonly events: KmsEvent[];
  readonly origin: Origin;
}

export class UsageCoalescer<Origin> {
  private readonly held = new Map<string, Held<Origin>>();
  private heldEvents = 0;
  private readonly callers = new Map<string, Caller>();
  private readonly keyLists = new Map<string, readonly string[]>();
  private readonly strings = new Map<string, string>();
  private duplicateCount = 0;
  /** The event a decision is being made on (set by the replay; see view). */
  deciding: KmsEvent | undefined;
  private writeCount = 0;

  /**
   * Coverage of the events held or passed over (read-only events the store never sees, such as a ListAliases), per
   * account and Region, until something reads that coverage: the heartbeat and watched-since then match what the
   * usage tracker would have recorded by that time.
   */
  private readonly arrivals = new Map<string, { accountId: string; region: string; earliest: string; latest: string }>();

  constructor(
    private readonly store: UsageStore,
    private readonly budgetBytes: number,
    private readonly onUnrecorded: (failure: UnrecordedEvents<Origin>) => void,
    private readonly coverage?: CoverageStore,
  ) {}

  get duplicates(): number {
    return this.duplicateCount;
  }

  /** Store writes issued for the replay's events so far. */
  get writes(): number {
    return this.writeCount;
  }

  /**
   * Holds a usage event (or a non-use call, grant evidence kept per key the same way) per key; false when the event
   * must be written now (writeNow). Events that change no item are passed over, their coverage noted.
   */
  hold(event: KmsEvent, origin: Origin): boolean {
    if (isLifecycleEvent(event) || grantChange(event) !== undefined) return false;
    this.noteArrival(event);
    if (!isUsageEvent(event) && !isNonUseCall(event)) return true;
    const keys = event.keyArns.length === 1 ? event.keyArns : [...new Set(event.keyArns)];
    for (const keyArn of keys) {
      // A ReEncrypt names two keys: each key holds its own copy, so writing one key never writes the other's share.
      // Usage-only events from the runs arrive compact already (run-line.ts); anything else is made so.
      const copy = keys.length === 1 && event.requestParameters === NOT_CARRIED ? event : this.compact(event, keyArn);
      const held = this.held.get(keyArn);
      if (held === undefined) this.held.set(keyArn, { events: [copy], origin });
      else held.events.push(copy);
      this.heldEvents += 1;
    }
    return true;
  }

  /**
   * What a held event keeps: what usage is made of, its strings shared with every other held event of the same
   * caller, key and place (a held event costs ~200 bytes instead of ~700).
   */
  private compact(event: KmsEvent, keyArn: string): KmsEvent {
    const { caller } = event;
    const callerKey = `${caller.principal}\n${caller.principalType}\n${caller.service ?? ''}\n${caller.invokedBy ?? ''}`;
    let shared = this.callers.get(callerKey);
    if (shared === undefined) {
      shared = caller;
      this.callers.set(callerKey, shared);
    }
    let keyArns = this.keyLists.get(keyArn);
    if (keyArns === undefined) {
      keyArns = [keyArn];
      this.keyLists.set(keyArn, keyArns);
    }
    return {
      eventId: event.eventId,
      eventTime: event.eventTime,
      eventName: this.intern(event.eventName),
      eventSource: this.intern(event.eventSource),
      category: event.category,
      region: this.intern(event.region),
      accountId: this.intern(event.accountId),
      keyArns,
      caller: shared,
      ...(event.error === undefined ? {} : { error: event.error }),
      requestParameters: NOT_CARRIED,
      responseElements: NOT_CARRIED,
      additionalEventData: NOT_CARRIED,
    };
  }

  private intern(text: string): string {
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    this.strings.set(text, text);
    return text;
  }

  private noteArrival(event: KmsEvent): void {
    if (this.coverage === undefined || !isReadOnlyEvent(event) || event.accountId === '' || event.region === '') return;
    const place = `${event.accountId}|${event.region}`;
    const known = this.arrivals.get(place);
    if (known === undefined) {
      this.arrivals.set(place, { accountId: event.accountId, region: event.region, earliest: event.eventTime, latest: event.eventTime });
      return;
    }
    if (event.eventTime < known.earliest) known.earliest = event.eventTime;
    if (event.eventTime > known.latest) known.latest = event.eventTime;
  }

  /** Writes the noted coverage of one place (or every place), as the usage store would have after those batches. */
  private async publishArrivals(place?: string): Promise<void> {
    if (this.coverage === undefined) return;
    for (const [key, arrival] of [...this.arrivals]) {
      if (place !== undefined && key !== place) continue;
      this.arrivals.delete(key);
      await this.coverage.widenWatchedSince(arrival.accountId, arrival.region, arrival.earliest);
      await this.coverage.recordUsageArrival(arrival.accountId, arrival.region, arrival.latest);
      this.writeCount += 2;
    }
  }

  async writeNow(event: KmsEvent, origin: Origin): Promise<void> {
    await this.write([event], origin);
  }

  get overBudget(): boolean {
    return this.heldEvents * HELD_EVENT_BYTES > this.budgetBytes;
  }

  /** Writes the keys holding the most usage until half the budget is free. */
  async relieve(): Promise<void> {
    const largest = [...this.held].sort(([, a], [, b]) => b.events.length - a.events.length).map(([keyArn]) => keyArn);
    for (const keyArn of largest) {
      if (this.heldEvents * HELD_EVENT_BYTES <= this.budgetBytes / 2) return;
      await this.flush(keyArn);
    }
  }

  async flush(keyArn: string): Promise<void> {
    const held = this.held.get(keyArn);
    if (held === undefined) return;
    this.held.delete(keyArn);
    this.heldEvents -= held.events.length;
    await this.write(held.events, held.origin, keyArn);
  }

  async flushAll(): Promise<void> {
    for (const keyArn of [...this.held.keys()]) await this.flush(keyArn);
    await this.publishArrivals();
  }

  /** The usage store the use cases see: reading a key's usage first writes what is held for it. */
  view(): UsageStore {
    return {
      // A use case records its trigger first, as the Lambda must; the replay has already held or written it.
      record: async (events: readonly KmsEvent[]): Promise<RecordResult> => {
        for (const event of events) {
          if (event !== this.deciding && !this.hold(event, undefined as Origin)) await this.store.record([event]);
        }
        return { recorded: 0, duplicates: 0, writes: 0, keyBatches: 0 };
      },
      getKey: (keyArn: string): Promise<KeyRecord | undefined> => this.store.getKey(keyArn),
      getUsage: async (keyArn: string): Promise<KeyUsageSummary> => {
        await this.flush(keyArn);
        return this.store.getUsage(keyArn);
      },
      listKeyArns: async () => {
        await this.flushAll();
        return this.store.listKeyArns();
      },
      listKeysPendingDeletion: () => this.store.listKeysPendingDeletion(),
      getCoverage: async (accountId: string, region: string): Promise<Coverage | undefined> => {
        await this.publishArrivals(`${accountId}|${region}`);
        return this.store.getCoverage(accountId, region);
      },
    };
  }

  private async write(events: readonly KmsEvent[], origin: Origin, keyArn?: string): Promise<void> {
    try {
      const result = await this.store.record(events);
      this.duplicateCount += result.duplicates;
      this.writeCount += result.writes;
    } catch (error) {
      this.onUnrecorded({ ...(keyArn === undefined ? {} : { keyArn }), events: events.length, origin, error });
    }
  }
}
