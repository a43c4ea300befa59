/**
 * The facts the deletion guard decides on, merged from the store (event history) and, in production, KMS itself.
 * Plain data: build-evidence.ts assembles it, the rules read it, the decision records the parts behind each reason.
 */
import type { GrantRecord, KeyRecord, StateTransition } from '../model.js';

export type DeletionAction = 'cancel-deletion' | 'alert' | 'allow-deletion';

/** What asked for the decision: the scheduling itself, a call that failed on the pending key, or the hourly sweep. */
export interface DeletionTrigger {
  readonly kind: 'schedule' | 'pending-use' | 'sweep';
  readonly eventId: string;
  readonly at: string;
  /** Normalised principal that triggered it (the scheduler, or the failing caller). */
  readonly actor?: string;
}

/** The current scheduling, as far as anyone knows it. KMS knows only the deletion date. */
export interface Scheduling {
  readonly scheduledAt?: string;
  readonly eventId?: string;
  /** Normalised principal that called ScheduleKeyDeletion. */
  readonly by?: string;
  readonly deletionDate?: string;
  readonly pendingWindowInDays?: number;
}

/** A successful use of the key. `kms` uses come from GetKeyLastUsage, which tracks even before the guard ran. */
export interface UseFact {
  readonly at: string;
  readonly operation?: string;
  readonly by?: string;
  readonly source: 'store' | 'kms';
}

export interface FailedUse {
  readonly at: string;
  readonly operation: string;
  readonly errorCode: string;
  readonly message: string;
  readonly eventId?: string;
  readonly callers: readonly string[];
  /** Failed calls by callers the store counted but did not name (usage-bounds.ts). */
  readonly callersOmitted?: number;
  /** How many failed calls this entry stands for, when a batch collapsed several (collapse-failures.ts). */
  readonly calls?: number;
}

export type EvidenceSource = 'store-history' | 'store-usage' | 'store-grants' | 'kms';

/** Evidence the guard could not gather, named for the alert (fail closed: the deletion is cancelled). */
export interface EvidenceGap {
  /** What was asked: "KMS DescribeKey", "store usage"… */
  readonly source: string;
  /** The error's name and message. */
  readonly error: string;
}

/** The key's identity and attributes, as the key record holds them. */
type KeyAttributes = Pick<
  KeyRecord,
  'keyArn' | 'accountId' | 'region' | 'keySpec' | 'keyUsage' | 'origin' | 'customKeyStoreId' | 'multiRegion' | 'multiRegionKeyType'
>;

export interface DeletionEvidence extends KeyAttributes {
  readonly trigger: DeletionTrigger;
  readonly scheduling?: Scheduling;
  /**
   * The triggering ScheduleKeyDeletion is no longer the one in force: KMS holds another deletion date (a person
   * cancelled and scheduled again before a late delivery). Its prior state says nothing about the current one.
   */
  readonly supersededBy?: { readonly deletionDate: string };
  /** KMS's keyState when it answered, else the store's latest state. */
  readonly currentState?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** When and by whom the store saw the current kms-guard:allow-deletion value set (TagResource, CreateKey). */
  readonly exemptTagSet?: { readonly at: string; readonly by?: string };
  /** The key's aliases (KMS's list, else the store's), for people reading the decision. */
  readonly aliases?: readonly string[];
  /** The store's state history, oldest first. */
  readonly history: readonly StateTransition[];
  /** Latest successful cryptographic use (not GetPublicKey). */
  readonly lastCryptographicUse?: UseFact;
  /** Latest successful use of any kind, GetPublicKey included. */
  readonly lastUse?: UseFact;
  /** Known successful cryptographic uses (latest per operation), for inferring the state before scheduling. */
  readonly cryptographicUses: readonly UseFact[];
  /** Latest successful GetPublicKey: the public key may be in use outside KMS. */
  readonly publicKeyExportedAt?: string;
  readonly topCallers: readonly { readonly id: string; readonly count: number; readonly lastAt: string }[];
  readonly failures: readonly FailedUse[];
  readonly activeGrants: readonly GrantRecord[];
  /** Since when anyone (the store's coverage of the account and Region, or KMS usage tracking) has watched the key's use. */
  readonly watchedSince?: string;
  /** When the key was created, when the store or KMS knows. */
  readonly createdAt?: string;
  /** KMS's own usage tracking start (GetKeyLastUsage): independent of CloudTrail delivery. */
  readonly kmsTrackingSince?: string;
  /** What the store has recorded for the key's account and Region (ports.ts Coverage); absent when unknown. */
  readonly usageCoverage?: { readonly watchedSince?: string; readonly lastUsageEventAt?: string };
  /** Since when the guard's own store has recorded events for the key. */
  readonly storeWatchedSince?: string;
  /** Where facts came from, beyond the triggering event itself; empty means nobody knows the key. */
  readonly sources: readonly EvidenceSource[];
}
