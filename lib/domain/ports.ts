/**
 * Ports: what the use cases need from the outside world. Adapters in lib/adapters implement them;
 * tests hand in adapters pointed at DynamoDB Local, the local KMS endpoint or the local Slack server.
 */
import type { KmsEvent } from './kms-event.js';
import type { ActionOutcome, Decision, GrantRecord, GrantStatus, KeyRecord, KeyUsageSummary } from './model.js';
import type { SweepWorkItem } from './sweeps/work-item.js';

export interface Clock {
  now(): Date;
}

export interface RecordResult {
  /** Events recorded for the first time. */
  readonly recorded: number;
  /** Events already recorded before (same eventID). */
  readonly duplicates: number;
  /** DynamoDB write requests issued (each PutItem/UpdateItem/TransactWrite item counts one). */
  readonly writes: number;
  /** Distinct keys touched by this batch. */
  readonly keyBatches: number;
}

/** Usage and key state, fed by every KMS event. One batch costs O(distinct keys) writes. */
export interface UsageStore {
  /**
   * Records a batch: successful and failed usage into per-key day buckets (coalesced per key),
   * lifecycle events into key records, grant events into grant records, and successful DescribeKey, CreateGrant
   * and RetireGrant calls into the key's non-use record (who last made each; grant evidence that is never use,
   * returned by getUsage as `nonUseCalls`). Idempotent per eventID and
   * order-safe: a late event never moves "last used" or the current state backwards.
   * Then, once those writes have succeeded, the coverage of each account and Region the batch holds
   * read-only events for (lib/domain/coverage.ts): watchedSince widened to the earliest, the heartbeat
   * moved to the latest. Coverage is kept by the store because it means "recorded here": it must never
   * advance for events whose writes failed.
   * Throws on a write that still fails after retries, naming the keys whose events were not recorded
   * (StoreWriteError); a coverage write that fails throws as it is, so the whole batch is retried.
   * Every item it writes stays within its size budget (usage-bounds.ts, key-record-bounds.ts).
   */
  record(events: readonly KmsEvent[]): Promise<RecordResult>;
  /** What record() has covered for the account and Region (see CoverageStore); undefined when nothing yet. */
  getCoverage(accountId: string, region: string): Promise<Coverage | undefined>;
  getKey(keyArn: string): Promise<KeyRecord | undefined>;
  getUsage(keyArn: string): Promise<KeyUsageSummary>;
  /** Every key the store holds a record or usage for, sorted by ARN. */
  listKeyArns(): Promise<string[]>;
  /** Keys whose current state is PendingDeletion or PendingReplicaDeletion. */
  listKeysPendingDeletion(): Promise<KeyRecord[]>;
}

/**
 * Grant records. Queries read active grants only: a closed grant is kept just long enough to stay closed (a late
 * CreateGrant must not reopen it) and then expires (lib/domain/grants/closed-grant-retention.ts).
 * Changed by issue 12: listGrants no longer returns closed grants; upsertDiscoveredGrants returns what it stored.
 */
export interface GrantStore {
  /** The key's active grants. May lag a close by moments (an index); a just-closed grant then still shows as active. */
  listGrants(keyArn: string): Promise<GrantRecord[]>;
  /** Every grant whose status is active, across keys. */
  listActiveGrants(): Promise<GrantRecord[]>;
  /** One grant, closed ones included (until they expire). */
  getGrant(keyArn: string, grantId: string): Promise<GrantRecord | undefined>;
  /**
   * Inserts or updates grants discovered by ListGrants; never reopens a closed grant. Returns each grant as the store
   * then holds it, in the same order (a closed one as closed), so the caller judges only those still active.
   */
  upsertDiscoveredGrants(grants: readonly GrantRecord[]): Promise<GrantRecord[]>;
  /** Marks a grant closed; a no-op when it is already closed. */
  closeGrant(keyArn: string, grantId: string, status: Exclude<GrantStatus, 'active'>, at: string, by: string): Promise<void>;
}

export interface DecisionStore {
  /**
   * Records the decision (status "claimed", with a lease until decidedAt + CLAIM_LEASE_MS, decision-claim.ts)
   * unless one with the same decisionId exists. It may be taken again when it has status "failed" (a failed
   * action may be retried), or is still "claimed" and its lease ran out before this decision's decidedAt (the
   * claimer crashed between claiming and completing). Conditional write: of N concurrent claims exactly one
   * returns true and must act; the others return false.
   */
  claim(decision: Decision): Promise<boolean>;
  /**
   * Stores the outcome of the KMS calls made for a claimed decision (empty in dry-run): status "failed" when
   * any call failed (so a redelivery may claim it again), else "done". Called after the decision is published,
   * so a decision that was acted on but not published stays claimed, and is taken again once its lease ends.
   */
  complete(decisionId: string, outcome: readonly ActionOutcome[]): Promise<void>;
  get(decisionId: string): Promise<Decision | undefined>;
  list(): Promise<Decision[]>;
}

/**
 * What the guard has watched, per account and Region. Absence of use is evidence only where the guard was
 * watching: `watchedSince` says how far back its history goes (live tracking or a completed backfill), and
 * `lastUsageEventAt` is the heartbeat that says usage (read-only) events are arriving at all.
 */
export interface Coverage {
  readonly accountId: string;
  readonly region: string;
  /** From this instant on, every usage event of the account and Region has been recorded. */
  readonly watchedSince?: string;
  /** The latest eventTime of a usage event recorded for the account and Region. */
  readonly lastUsageEventAt?: string;
}

/**
 * Kept by the usage store (UsageStore.record moves both bounds after a batch's writes succeed, DynamoDbUsageStore
 * through DynamoDbCoverageStore on the same table) and read by the deletion guard through UsageStore.getCoverage.
 */
export interface CoverageStore {
  /**
   * Every usage event of the account and Region from `since` on has been recorded (the first batch the usage
   * tracker saw, or a backfill that completed without failures). Keeps the earliest; idempotent, order-safe.
   */
  widenWatchedSince(accountId: string, region: string, since: string): Promise<void>;
  /** A usage event of the account and Region with this eventTime was recorded. Keeps the latest. */
  recordUsageArrival(accountId: string, region: string, eventTime: string): Promise<void>;
  getCoverage(accountId: string, region: string): Promise<Coverage | undefined>;
}

/** What KMS itself says about a key (DescribeKey, ListResourceTags, ListAliases, GetKeyLastUsage). */
export interface KmsKeyFacts {
  readonly keyArn: string;
  readonly keyState: string;
  readonly keySpec?: string;
  readonly keyUsage?: string;
  readonly origin?: string;
  readonly keyManager?: string;
  readonly customKeyStoreId?: string;
  readonly multiRegion?: boolean;
  readonly multiRegionKeyType?: string;
  readonly deletionDate?: string;
  readonly creationDate?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly aliases: readonly string[];
  /** From GetKeyLastUsage; absent when the key has not been used since tracking began. */
  readonly lastUsage?: { readonly operation?: string; readonly at?: string; readonly eventId?: string };
  readonly usageTrackingStartDate?: string;
}

/** What describe() may leave out when the caller needs less (the grant sweep: no last use, aliases already listed). */
export interface DescribeOptions {
  /** GetKeyLastUsage (its quota is 5 requests/s). Default true. */
  readonly lastUsage?: boolean;
  /** The key's aliases as the caller already knows them (listAliasesByKey): no ListAliases call. */
  readonly aliases?: readonly string[];
}

/** One page of ListKeys. */
export interface KeyPage {
  readonly keyArns: readonly string[];
  /** Where the listing continues; absent on the last page. */
  readonly nextMarker?: string;
}

/** KMS, seen from the guard: evidence in, repairs out. Only the adapter touches the SDK. */
export interface KeyDirectory {
  describe(keyArn: string, options?: DescribeOptions): Promise<KmsKeyFacts>;
  /**
   * The key state alone (one DescribeKey), so an hourly sweep over every key in an account costs one call per
   * key; `describe` adds tags, aliases and last use. Throws KeyNotFoundError for a key that does not exist.
   */
  keyState(keyArn: string): Promise<string>;
  listGrants(keyArn: string): Promise<GrantRecord[]>;
  /** Key ARNs in the account and Region (ListKeys), for sweeps that run before the store knows every key. */
  listKeyArns(): Promise<string[]>;
  /** One page of ListKeys (up to 1000 keys), so a sweep can stop between pages and hand the rest on. */
  listKeyPage(marker?: string): Promise<KeyPage>;
  /** Every alias of the account and Region by key ARN (ListAliases without a key: one paged listing, not a call per key). */
  listAliasesByKey(): Promise<ReadonlyMap<string, readonly string[]>>;
  /** CancelKeyDeletion: `already-done` when the key is no longer pending (KMSInvalidStateException). */
  cancelKeyDeletion(keyArn: string): Promise<ActionOutcome>;
  enableKey(keyArn: string): Promise<ActionOutcome>;
  /** RevokeGrant: `already-done` on NotFoundException or InvalidGrantIdException. */
  revokeGrant(keyArn: string, grantId: string): Promise<ActionOutcome>;
}

/** Publishes decisions for other systems (EventBridge PutEvents on the guard's bus). */
export interface DecisionPublisher {
  publish(decisions: readonly Decision[]): Promise<void>;
}

/** Where sweep work items go (an SQS FIFO queue per sweep kind, grouped per account and Region). */
export interface SweepQueue {
  /** Queues the items in order; a re-sent item (same deduplication id) within minutes is dropped by the queue. */
  enqueue(items: readonly SweepWorkItem[]): Promise<void>;
}

/** The organization's accounts (AWS Organizations ListAccounts). */
export interface AccountDirectory {
  /** Ids of the organization's ACTIVE accounts; throws (never an empty list) when it cannot list them. */
  listActiveAccounts(): Promise<string[]>;
}
