/**
 * The key record, built from lifecycle events. Every field is order-safe: state history is sorted by time and
 * deduplicated by eventId, tags/aliases/policy keep the newest value, metadata is set by whichever event
 * carries it. Applying the same events in any order, any number of times, gives the same record (within the
 * retention of key-record-bounds.ts: history and tombstones are bounded so the item stays small).
 */
import { parseCloudTrailDate } from './cloudtrail-date.js';
import type { KmsEvent } from './kms-event.js';
import type { KeyRecord, KeyStateName, PendingDeletion, StateTransition, Versioned } from './model.js';
import { LIFECYCLE_OPERATIONS } from './operations.js';
import { keyMetadataFacts, replicaTarget, stateFromMetadata } from './key-metadata.js';
import { boundKeyRecord } from './key-record-bounds.js';

const PENDING_STATES: ReadonlySet<KeyStateName> = new Set(['PendingDeletion', 'PendingReplicaDeletion']);

/** Successful lifecycle calls; a failed one changed nothing in KMS. */
export const isLifecycleEvent = (event: KmsEvent): boolean =>
  event.error === undefined && LIFECYCLE_OPERATIONS.has(event.eventName);

export const currentState = (record: KeyRecord): KeyStateName => record.history.at(-1)?.state ?? 'Unknown';

export const isPendingDeletion = (record: KeyRecord): boolean => PENDING_STATES.has(currentState(record));

/** The state in force just before `isoTime` (transitions strictly earlier); undefined when history starts later. */
export const stateAt = (record: KeyRecord, isoTime: string): KeyStateName | undefined =>
  record.history.filter((transition) => transition.at < isoTime).at(-1)?.state;

/** The state in force before the transition made by `eventId` (exact even when two events share a timestamp). */
export const stateBefore = (record: KeyRecord, eventId: string): KeyStateName | undefined => {
  const index = record.history.findIndex((transition) => transition.eventId === eventId);
  return index <= 0 ? undefined : record.history[index - 1]?.state;
};

export const activeTags = (record: KeyRecord): Record<string, string> =>
  Object.fromEntries(
    Object.entries(record.tags).flatMap(([tagKey, tag]) => (tag.value === null ? [] : [[tagKey, tag.value] as const])),
  );

export const activeAliases = (record: KeyRecord): string[] =>
  Object.entries(record.aliases)
    .filter(([, alias]) => alias.value !== null)
    .map(([aliasName]) => aliasName)
    .sort();

export const emptyKeyRecord = (keyArn: string, firstSeenAt: string, fallback: { accountId: string; region: string }): KeyRecord => {
  const [, , , region, accountId] = keyArn.split(':');
  return {
    keyArn,
    accountId: accountId === undefined || accountId === '' ? fallback.accountId : accountId,
    region: region === undefined || region === '' ? fallback.region : region,
    history: [],
    tags: {},
    aliases: {},
    firstSeenAt,
  };
};

/** Applies one lifecycle event to the record of `keyArn` (one of the event's keys). */
export const applyLifecycleEvent = (stored: KeyRecord | undefined, keyArn: string, event: KmsEvent): KeyRecord => {
  const base = stored ?? emptyKeyRecord(keyArn, event.eventTime, event);
  let record: KeyRecord = { ...base, firstSeenAt: base.firstSeenAt < event.eventTime ? base.firstSeenAt : event.eventTime };
  if (!isLifecycleEvent(event)) return record;
  const request = event.requestParameters;
  const at = event.eventTime;
  const replica = event.eventName === 'ReplicateKey' && replicaTarget(event) === keyArn;

  switch (event.eventName) {
    case 'CreateKey':
      record = { ...record, ...keyMetadataFacts(event, 'keyMetadata'), createdAt: at };
      record = withTransition(record, event, stateFromMetadata(event.responseElements.keyMetadata, record.origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled'));
      record = withTags(record, request.tags, at, event.caller.principal);
      record = withPolicy(record, request.policy, at);
      break;
    case 'ReplicateKey':
      if (replica) {
        record = { ...record, ...keyMetadataFacts(event, 'replicaKeyMetadata'), multiRegion: true, multiRegionKeyType: 'REPLICA', createdAt: at };
        // A replica is "Creating" for moments and then Enabled; no event tells us when.
        record = withTransition(record, event, 'Enabled');
        record = withTags(record, request.tags, at, event.caller.principal);
        record = withPolicy(record, request.policy, at);
      } else {
        record = { ...record, multiRegion: true, multiRegionKeyType: 'PRIMARY' };
      }
      break;
    case 'EnableKey':
    case 'ImportKeyMaterial':
      record = withTransition(record, event, 'Enabled');
      break;
    case 'DisableKey':
    case 'CancelKeyDeletion':
      record = withTransition(record, event, 'Disabled');
      break;
    case 'ScheduleKeyDeletion':
      record = withTransition(record, event, event.responseElements.keyState === 'PendingReplicaDeletion' ? 'PendingReplicaDeletion' : 'PendingDeletion');
      break;
    case 'DeleteKey':
    case 'KMS CMK Deletion':
      // KMS deleted the key at the end of its waiting period: it is no longer pending, and never will be again.
      record = withTransition(record, event, 'Deleted');
      break;
    case 'DeleteImportedKeyMaterial':
    case 'DeleteExpiredKeyMaterial':
    case 'KMS Imported Key Material Expiration':
      record = withTransition(record, event, 'PendingImport');
      break;
    case 'RotateKey':
    case 'RotateKeyOnDemand':
    case 'KMS CMK Rotation':
      // New key material, same key: no state change, but worth knowing when it happened.
      record = { ...record, lastRotatedAt: record.lastRotatedAt === undefined || record.lastRotatedAt < at ? at : record.lastRotatedAt };
      break;
    case 'TagResource':
      record = withTags(record, request.tags, at, event.caller.principal);
      break;
    case 'UntagResource':
      record = withoutTags(record, request.tagKeys, at, event.caller.principal);
      break;
    case 'CreateAlias':
    case 'UpdateAlias':
    case 'DeleteAlias':
      record = withAlias(record, event);
      break;
    case 'PutKeyPolicy':
      record = withPolicy(record, request.policy, at);
      break;
    default:
      // Rotation and primary-Region changes leave state, tags, aliases and policy as they are.
      break;
  }
  return boundKeyRecord(withPendingDeletion(record, event), at);
};

const withTransition = (record: KeyRecord, event: KmsEvent, state: KeyStateName): KeyRecord => {
  if (record.history.some((transition) => transition.eventId === event.eventId)) return record;
  const transition: StateTransition = {
    at: event.eventTime,
    state,
    eventId: event.eventId,
    eventName: event.eventName,
    ...(event.caller.principal === 'unknown' ? {} : { by: event.caller.principal }),
  };
  const history = [...record.history, transition].sort((a, b) => a.at.localeCompare(b.at) || a.eventId.localeCompare(b.eventId));
  return { ...record, history };
};

/** Kept only while the key is pending deletion; the newest scheduling is the one in force. */
const withPendingDeletion = (record: KeyRecord, event: KmsEvent): KeyRecord => {
  const { pendingDeletion: current, ...rest } = record;
  if (!isPendingDeletion(record)) return rest;
  if (event.eventName !== 'ScheduleKeyDeletion') return record;
  if (current !== undefined && (current.scheduledAt > event.eventTime || current.eventId === event.eventId)) return record;
  const window = Number(event.requestParameters.pendingWindowInDays ?? event.responseElements.pendingWindowInDays);
  const deletionDate = parseCloudTrailDate(event.responseElements.deletionDate);
  const pendingDeletion: PendingDeletion = {
    scheduledAt: event.eventTime,
    ...(deletionDate === undefined ? {} : { deletionDate }),
    ...(Number.isInteger(window) && window > 0 ? { pendingWindowInDays: window } : {}),
    eventId: event.eventId,
    by: event.caller.principal,
  };
  return { ...record, pendingDeletion };
};

/** Newest `at` wins; at the same instant the larger value, so arrival order never matters. */
const newest = <T>(current: Versioned<T> | undefined, candidate: Versioned<T>): Versioned<T> => {
  if (current === undefined || candidate.at > current.at) return candidate;
  if (candidate.at < current.at) return current;
  return JSON.stringify(candidate.value) > JSON.stringify(current.value) ? candidate : current;
};

const withTags = (record: KeyRecord, tags: unknown, at: string, by: string): KeyRecord => {
  if (!Array.isArray(tags)) return record;
  const next = { ...record.tags };
  for (const tag of tags as unknown[]) {
    if (typeof tag !== 'object' || tag === null) continue;
    const { tagKey, tagValue } = tag as Record<string, unknown>;
    if (typeof tagKey !== 'string') continue;
    next[tagKey] = newest(next[tagKey], { value: typeof tagValue === 'string' ? tagValue : '', at, ...setBy(by) });
  }
  return { ...record, tags: next };
};

const withoutTags = (record: KeyRecord, tagKeys: unknown, at: string, by: string): KeyRecord => {
  if (!Array.isArray(tagKeys)) return record;
  const next = { ...record.tags };
  for (const tagKey of tagKeys as unknown[]) {
    if (typeof tagKey === 'string') next[tagKey] = newest(next[tagKey], { value: null, at, ...setBy(by) });
  }
  return { ...record, tags: next };
};

const setBy = (by: string): { by?: string } => (by === 'unknown' ? {} : { by });

const withPolicy = (record: KeyRecord, policy: unknown, at: string): KeyRecord =>
  typeof policy === 'string' ? { ...record, policy: newest(record.policy, { value: policy, at }) } : record;

/** UpdateAlias names the new target; the record of any other key it reaches (the old target) loses the alias. */
const withAlias = (record: KeyRecord, event: KmsEvent): KeyRecord => {
  const aliasName = event.requestParameters.aliasName;
  if (typeof aliasName !== 'string') return record;
  const target = event.requestParameters.targetKeyId;
  const isTarget =
    typeof target !== 'string' || target.startsWith('alias/') || record.keyArn === target || record.keyArn.endsWith(`/${target}`);
  const value = event.eventName === 'DeleteAlias' || !isTarget ? null : true;
  return { ...record, aliases: { ...record.aliases, [aliasName]: newest(record.aliases[aliasName], { value, at: event.eventTime }) } };
};
