/**
 * What the guard knows about keys, grants and decisions. Plain data: the store persists it, the policy reads it.
 * Every timestamp is an ISO-8601 UTC string.
 */
import type { Caller } from './kms-event.js';

export type KeyStateName =
  | 'Enabled'
  | 'Disabled'
  | 'PendingDeletion'
  | 'PendingReplicaDeletion'
  | 'PendingImport'
  | 'Unavailable'
  | 'Creating'
  | 'Updating'
  | 'Deleted'
  | 'Unknown';

/** One change of key state, kept as history so that "the state before time T" is order-safe. */
export interface StateTransition {
  readonly at: string;
  readonly state: KeyStateName;
  readonly eventId: string;
  readonly eventName: string;
  readonly by?: string;
}

/** A value that events set and unset; `at` orders conflicting updates (newest wins), `value` null means removed. */
export interface Versioned<T> {
  readonly value: T | null;
  readonly at: string;
  /** Who set it (the normalised principal of the event), when known: the exemption tag counts only if not the scheduler. */
  readonly by?: string;
}

export interface PendingDeletion {
  readonly scheduledAt: string;
  /** ISO-8601, parsed from CloudTrail's locale string ("Oct 21, 2024, 2:25:29 PM"); absent when unknown. */
  readonly deletionDate?: string;
  readonly pendingWindowInDays?: number;
  readonly eventId: string;
  readonly by: string;
}

/** The key-state record built from lifecycle events (replay) or from KMS itself (production evidence). */
export interface KeyRecord {
  readonly keyArn: string;
  readonly accountId: string;
  readonly region: string;
  /** Sorted by `at`, deduplicated by eventId. The last entry is the current state. */
  readonly history: readonly StateTransition[];
  readonly keySpec?: string;
  readonly keyUsage?: string;
  /** AWS_KMS, EXTERNAL, AWS_CLOUDHSM, EXTERNAL_KEY_STORE. */
  readonly origin?: string;
  readonly customKeyStoreId?: string;
  readonly multiRegion?: boolean;
  /** PRIMARY or REPLICA, for multi-Region keys. */
  readonly multiRegionKeyType?: string;
  /** AWS_MANAGED for keys such as aws/ebs (out of scope for grant expiry), CUSTOMER otherwise. */
  readonly keyManager?: string;
  readonly tags: Readonly<Record<string, Versioned<string>>>;
  readonly aliases: Readonly<Record<string, Versioned<true>>>;
  readonly policy?: Versioned<string>;
  readonly createdAt?: string;
  /** When the guard first saw any event for this key. */
  readonly firstSeenAt: string;
  readonly pendingDeletion?: PendingDeletion;
  /** Latest rotation of the key material (RotateKey, RotateKeyOnDemand, KMS CMK Rotation). */
  readonly lastRotatedAt?: string;
  /**
   * The newest transition dropped to keep the record within its size budget (the newest are kept): history before
   * and at this instant is incomplete. A time, not a count, so applying the same events again changes nothing.
   */
  readonly historyTruncatedAt?: string;
}

/** Successful-use and failed-use facts for one key, folded over its day buckets. */
export interface KeyUsageSummary {
  readonly keyArn: string;
  /** Latest successful use of any usage operation (cryptographic or GetPublicKey). */
  readonly lastUsedAt?: string;
  /** Latest successful use of a cryptographic operation (not GetPublicKey). */
  readonly lastCryptographicUseAt?: string;
  readonly lastUsedByOperation: Readonly<Record<string, string>>;
  /** Successful uses counted (each eventID once). */
  readonly useCount: number;
  /** Per day (YYYY-MM-DD) and operation, successful uses. */
  readonly dailyCounts: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Distinct callers, most recent first. */
  readonly callers: readonly CallerUsage[];
  /** Failed calls, kept apart from successes. */
  readonly failures: readonly FailureSummary[];
  /** The latest failure whose message ends "is pending deletion.". */
  readonly lastPendingDeletionFailure?: FailedCall;
  /** The latest DisabledException. */
  readonly lastDisabledFailure?: FailedCall;
  /** Earliest event time the usage records hold for this key. */
  readonly firstSeenAt?: string;
  /**
   * Who last called DescribeKey, CreateGrant or RetireGrant on the key, most recent first: evidence that a grantee
   * exercises a grant allowing them, never use of the key (lib/domain/non-use-calls.ts). Absent when unknown.
   */
  readonly nonUseCalls?: readonly NonUseCall[];
}

/** A caller's latest successful call of one operation that is not use of the key (DescribeKey, CreateGrant, RetireGrant). */
export interface NonUseCall {
  readonly principal: string;
  readonly service?: string;
  readonly operation: string;
  readonly lastAt: string;
  readonly lastEventId: string;
}

export interface CallerUsage {
  readonly id: string;
  readonly principal: string;
  readonly service?: string;
  readonly count: number;
  readonly lastAt: string;
  /** Operations this caller used successfully. */
  readonly operations: readonly string[];
}

export interface FailureSummary {
  readonly operation: string;
  readonly errorCode: string;
  readonly count: number;
  readonly lastAt: string;
  readonly lastMessage: string;
  readonly lastEventId: string;
  /** Callers named, at most MAX_FAILURE_CALLERS (usage-bounds.ts). */
  readonly callers: readonly string[];
  /** Failed calls by callers past the cap, counted instead of named. */
  readonly callersOmitted?: number;
}

export interface FailedCall {
  readonly at: string;
  readonly eventId: string;
  readonly operation: string;
  readonly errorCode: string;
  readonly message: string;
  readonly caller: Caller;
}

export type GrantStatus = 'active' | 'retired' | 'revoked' | 'gone';

export interface GrantConstraints {
  readonly encryptionContextSubset?: Readonly<Record<string, string>>;
  readonly encryptionContextEquals?: Readonly<Record<string, string>>;
}

export interface GrantRecord {
  readonly grantId: string;
  readonly keyArn: string;
  readonly granteePrincipal?: string;
  readonly retiringPrincipal?: string;
  readonly operations: readonly string[];
  readonly constraints?: GrantConstraints;
  readonly name?: string;
  /** Normalised principal that created the grant. */
  readonly createdBy?: string;
  /** userIdentity.invokedBy of the CreateGrant call (e.g. "ec2-frontend-api.amazonaws.com"). */
  readonly invokedBy?: string;
  /** ListGrants' IssuingAccount ("arn:aws:iam::<account>:root"): the account the grant was created from. */
  readonly issuingAccount?: string;
  readonly createdAt: string;
  readonly createEventId?: string;
  readonly status: GrantStatus;
  readonly closedAt?: string;
  readonly closedBy?: string;
  /** Where the guard learnt of it. */
  readonly source: 'cloudtrail' | 'list-grants';
}

export type Action = 'cancel-deletion' | 'alert' | 'allow-deletion' | 'revoke-grant';

/** A decision of the guard. Stored durably, published as an event, printed by replay. */
export interface Decision {
  /** Idempotency key: one decision per triggering event and subject (e.g. `${eventId}` or `${eventId}#${grantId}`). */
  readonly decisionId: string;
  readonly action: Action;
  readonly keyArn: string;
  readonly grantId?: string;
  /** Reason codes, most decisive first. */
  readonly reasons: readonly string[];
  /** The facts behind the reasons (last use, callers, grants, tags…), small and JSON-serialisable. */
  readonly evidence: Readonly<Record<string, unknown>>;
  /** The triggering CloudTrail eventID, or a sweep id (`sweep:<key>:<hour>`). */
  readonly eventId: string;
  readonly decidedAt: string;
  /** Who triggered it (normalised principal), when known. */
  readonly actor?: string;
  readonly accountId: string;
  readonly region: string;
  /** cancel-deletion only: whether EnableKey follows CancelKeyDeletion. */
  readonly reEnable?: boolean;
  readonly deletionDate?: string;
  readonly dryRun: boolean;
  /** What the guard did about it: every KMS call and its result. Absent in dry-run. */
  readonly outcome?: readonly ActionOutcome[];
}

export interface ActionOutcome {
  readonly call: string;
  readonly result: 'ok' | 'already-done' | 'failed' | 'skipped';
  readonly detail?: string;
}
