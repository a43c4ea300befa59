/**
 * Merges what the store recorded from CloudTrail with what KMS says now. KMS is the authority on the key's
 * current state, metadata, tags and grants; the store adds history, callers and failures KMS does not keep.
 */
import { activeAliases, activeTags } from '../key-state.js';
import { EXEMPT_TAG } from './exemption-tag.js';
import { callerId } from '../kms-event.js';
import type { FailedCall, GrantRecord, KeyRecord, KeyUsageSummary } from '../model.js';
import { CRYPTOGRAPHIC_OPERATIONS, PUBLIC_KEY_EXPORT } from '../operations.js';
import type { Coverage, KmsKeyFacts } from '../ports.js';
import type { DeletionEvidence, DeletionTrigger, EvidenceSource, FailedUse, Scheduling, UseFact } from './evidence.js';
import { earliest, isBefore, latest } from './timeline.js';

export interface EvidenceInput {
  readonly keyArn: string;
  readonly accountId: string;
  readonly region: string;
  readonly trigger: DeletionTrigger;
  /** Scheduling facts carried by the trigger itself (a ScheduleKeyDeletion event). */
  readonly triggerScheduling?: Scheduling;
  /** The failed call that triggered the decision, in case the store has not folded it in yet. */
  readonly triggerFailure?: FailedUse;
  readonly key?: KeyRecord;
  readonly usage?: KeyUsageSummary;
  readonly storeGrants: readonly GrantRecord[];
  /** Production only: DescribeKey and friends, and ListGrants. */
  readonly kms?: { readonly facts: KmsKeyFacts; readonly grants: readonly GrantRecord[] };
  /** What the store has recorded for the key's account and Region. */
  readonly coverage?: Coverage;
}

const TOP_CALLERS = 5;

export const buildDeletionEvidence = (input: EvidenceInput): DeletionEvidence => {
  const { key, usage, kms } = input;
  const facts = kms?.facts;
  const cryptographicUses = cryptographicUsesOf(usage, facts);
  const lastCryptographicUse = newest(cryptographicUses);
  const publicKeyExportedAt = usage?.lastUsedByOperation[PUBLIC_KEY_EXPORT];
  const lastAnyUseAt = latest(usage?.lastUsedAt, lastCryptographicUse?.at, publicKeyExportedAt);
  const lastUse =
    lastAnyUseAt === undefined || lastAnyUseAt === lastCryptographicUse?.at
      ? lastCryptographicUse
      : { at: lastAnyUseAt, source: 'store' as const, ...operationAt(usage, lastAnyUseAt) };
  const storeWatchedSince = earliest(key?.firstSeenAt, usage?.firstSeenAt);
  const scheduling = schedulingOf(input);
  const coverage = input.coverage;
  const usageCoverage = coverage === undefined ? undefined : defined({ watchedSince: coverage.watchedSince, lastUsageEventAt: coverage.lastUsageEventAt });
  return {
    keyArn: input.keyArn,
    accountId: input.accountId,
    region: input.region,
    trigger: input.trigger,
    ...(scheduling === undefined ? {} : { scheduling }),
    ...supersededOf(input),
    ...defined({
      currentState: facts?.keyState ?? key?.history.at(-1)?.state,
      keySpec: facts?.keySpec ?? key?.keySpec,
      keyUsage: facts?.keyUsage ?? key?.keyUsage,
      origin: facts?.origin ?? key?.origin,
      customKeyStoreId: facts?.customKeyStoreId ?? key?.customKeyStoreId,
      multiRegion: facts?.multiRegion ?? key?.multiRegion,
      multiRegionKeyType: facts?.multiRegionKeyType ?? key?.multiRegionKeyType,
      lastCryptographicUse,
      lastUse,
      publicKeyExportedAt,
      watchedSince: earliest(coverage?.watchedSince, facts?.usageTrackingStartDate),
      storeWatchedSince,
      createdAt: key?.createdAt ?? facts?.creationDate,
      kmsTrackingSince: facts?.usageTrackingStartDate,
      usageCoverage,
    }),
    tags: facts?.tags ?? (key === undefined ? {} : activeTags(key)),
    aliases: facts?.aliases ?? (key === undefined ? [] : activeAliases(key)),
    ...exemptTagSetOf(key, facts?.tags ?? (key === undefined ? {} : activeTags(key))),
    history: key?.history ?? [],
    cryptographicUses,
    topCallers: [...(usage?.callers ?? [])]
      .sort((a, b) => b.count - a.count)
      .slice(0, TOP_CALLERS)
      .map(({ id, count, lastAt }) => ({ id, count, lastAt })),
    failures: failuresOf(input),
    activeGrants: grantsOf(input),
    sources: sourcesOf(input),
  };
};

/** The store's record of the exemption tag, when it holds the value the key carries now. */
const exemptTagSetOf = (key: KeyRecord | undefined, tags: Readonly<Record<string, string>>): { exemptTagSet?: { at: string; by?: string } } => {
  const stored = key?.tags[EXEMPT_TAG];
  const current = tags[EXEMPT_TAG];
  if (stored === undefined || stored.value === null || current === undefined) return {};
  if (stored.value.trim().toLowerCase() !== current.trim().toLowerCase()) return {};
  return { exemptTagSet: { at: stored.at, ...(stored.by === undefined ? {} : { by: stored.by }) } };
};

const schedulingOf = ({ triggerScheduling, key, kms }: EvidenceInput): Scheduling | undefined => {
  const pending = key?.pendingDeletion;
  const stored: Scheduling | undefined =
    pending === undefined
      ? undefined
      : defined({
          scheduledAt: pending.scheduledAt,
          eventId: pending.eventId,
          by: pending.by,
          deletionDate: pending.deletionDate,
          pendingWindowInDays: pending.pendingWindowInDays,
        });
  const scheduling = triggerScheduling ?? stored;
  const deletionDate = kms?.facts.deletionDate ?? scheduling?.deletionDate;
  if (scheduling === undefined && deletionDate === undefined) return undefined;
  return { ...scheduling, ...defined({ deletionDate }) };
};

/** CloudTrail writes the deletion date to the second, KMS to the millisecond: a minute apart is another scheduling. */
const SAME_SCHEDULING_MS = 60_000;

const supersededOf = ({ triggerScheduling, kms }: EvidenceInput): { supersededBy?: { deletionDate: string } } => {
  const announced = triggerScheduling?.deletionDate;
  const current = kms?.facts.deletionDate;
  if (announced === undefined || current === undefined) return {};
  return Math.abs(Date.parse(announced) - Date.parse(current)) > SAME_SCHEDULING_MS ? { supersededBy: { deletionDate: current } } : {};
};

const cryptographicUsesOf = (usage: KeyUsageSummary | undefined, facts: KmsKeyFacts | undefined): UseFact[] => {
  const uses: UseFact[] = Object.entries(usage?.lastUsedByOperation ?? {})
    .filter(([operation]) => CRYPTOGRAPHIC_OPERATIONS.has(operation))
    .map(([operation, at]) => ({ at, operation, source: 'store' as const, ...defined({ by: callerAt(usage, at, operation) }) }));
  const summaryAt = usage?.lastCryptographicUseAt;
  if (summaryAt !== undefined && !uses.some((use) => use.at === summaryAt)) uses.push({ at: summaryAt, source: 'store' });
  const kmsUse = facts?.lastUsage;
  if (kmsUse?.at !== undefined) uses.push({ at: kmsUse.at, source: 'kms', ...defined({ operation: kmsUse.operation }) });
  return uses;
};

const newest = (uses: readonly UseFact[]): UseFact | undefined =>
  uses.reduce<UseFact | undefined>((best, use) => (best === undefined || isBefore(best.at, use.at) ? use : best), undefined);

const operationAt = (usage: KeyUsageSummary | undefined, at: string): { operation?: string; by?: string } => {
  const operation = Object.entries(usage?.lastUsedByOperation ?? {}).find(([, time]) => time === at)?.[0];
  return defined({ operation, by: operation === undefined ? undefined : callerAt(usage, at, operation) });
};

const callerAt = (usage: KeyUsageSummary | undefined, at: string, operation: string): string | undefined =>
  usage?.callers.find((caller) => caller.lastAt === at && caller.operations.includes(operation))?.id;

const failuresOf = ({ triggerFailure, usage }: EvidenceInput): FailedUse[] => {
  const fromCall = (call: FailedCall): FailedUse => ({
    at: call.at,
    operation: call.operation,
    errorCode: call.errorCode,
    message: call.message,
    eventId: call.eventId,
    callers: [callerId(call.caller)],
  });
  const all: FailedUse[] = [
    ...(triggerFailure === undefined ? [] : [triggerFailure]),
    ...[usage?.lastPendingDeletionFailure, usage?.lastDisabledFailure].filter((call) => call !== undefined).map(fromCall),
    ...(usage?.failures ?? []).map((summary) => ({
      at: summary.lastAt,
      operation: summary.operation,
      errorCode: summary.errorCode,
      message: summary.lastMessage,
      eventId: summary.lastEventId,
      callers: summary.callers,
      ...(summary.callersOmitted === undefined ? {} : { callersOmitted: summary.callersOmitted }),
    })),
  ];
  const seen = new Set<string>();
  return all.filter((failure) => {
    if (failure.eventId === undefined) return true;
    if (seen.has(failure.eventId)) return false;
    seen.add(failure.eventId);
    return true;
  });
};

/** KMS lists the grants that exist now; the store adds how each was created (invokedBy), which ListGrants omits. */
const grantsOf = ({ storeGrants, kms }: EvidenceInput): GrantRecord[] => {
  const active = storeGrants.filter((grant) => grant.status === 'active');
  if (kms === undefined) return active;
  const stored = new Map(storeGrants.map((grant) => [grant.grantId, grant]));
  return kms.grants.map((grant) => {
    const known = stored.get(grant.grantId);
    return known === undefined ? grant : { ...known, ...grant, ...defined({ invokedBy: known.invokedBy, createdBy: known.createdBy }) };
  });
};

const sourcesOf = ({ key, usage, storeGrants, kms, trigger }: EvidenceInput): EvidenceSource[] => {
  const sources: EvidenceSource[] = [];
  if (key?.history.some((transition) => transition.eventId !== trigger.eventId)) sources.push('store-history');
  const knownFailure = usage?.failures.some((failure) => failure.lastEventId !== trigger.eventId) ?? false;
  if ((usage?.useCount ?? 0) > 0 || knownFailure) sources.push('store-usage');
  if (storeGrants.length > 0) sources.push('store-grants');
  if (kms !== undefined) sources.push('kms');
  return sources;
};

/** Drops undefined fields, so evidence stays small and JSON-clean. */
const defined = <T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
