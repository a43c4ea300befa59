/**
 * Grant records from CreateGrant, RetireGrant and RevokeGrant. Order-safe: a grant closed before its
 * CreateGrant is seen stays closed (the Create fills in the details), and the earliest close wins.
 */
import type { KmsEvent } from './kms-event.js';
import type { GrantConstraints, GrantRecord, GrantStatus } from './model.js';
import { GRANT_OPERATIONS } from './operations.js';

export interface GrantChange {
  readonly keyArn: string;
  readonly grantId: string;
}

/** Successful grant calls that name a key and a grant; a failed call changed nothing. */
export const grantChange = (event: KmsEvent): GrantChange | undefined => {
  if (event.error !== undefined || !GRANT_OPERATIONS.has(event.eventName)) return undefined;
  const keyArn = event.keyArns[0];
  const grantId = grantIdOf(event);
  return keyArn === undefined || grantId === undefined ? undefined : { keyArn, grantId };
};

const grantIdOf = (event: KmsEvent): string | undefined => {
  const candidates =
    event.eventName === 'CreateGrant'
      ? [event.responseElements.grantId]
      : [event.requestParameters.grantId, event.additionalEventData.grantId];
  return candidates.find((value): value is string => typeof value === 'string' && value !== '');
};

export const isClosed = (grant: GrantRecord): boolean => grant.status !== 'active';

/** Applies a grant event to the grant it names (see grantChange); events for other grants leave it unchanged. */
export const applyGrantEvent = (stored: GrantRecord | undefined, event: KmsEvent): GrantRecord | undefined => {
  const change = grantChange(event);
  if (change === undefined) return stored;
  if (event.eventName === 'CreateGrant') return withCreate(stored, change, event);
  return close(stored ?? placeholder(change, event), event.eventName === 'RevokeGrant' ? 'revoked' : 'retired', event.eventTime, event.caller.principal);
};

/** Closes a grant; when it was closed already, the earlier close stands. */
export const close = (grant: GrantRecord, status: Exclude<GrantStatus, 'active'>, at: string, by: string): GrantRecord => {
  if (isClosed(grant) && grant.closedAt !== undefined && grant.closedAt <= at) return grant;
  return { ...grant, status, closedAt: at, closedBy: by };
};

/** A close seen before its create: enough to keep the grant closed when the create arrives. */
const placeholder = (change: GrantChange, event: KmsEvent): GrantRecord => ({
  grantId: change.grantId,
  keyArn: change.keyArn,
  operations: [],
  createdAt: event.eventTime,
  status: 'active',
  source: 'cloudtrail',
});

const withCreate = (stored: GrantRecord | undefined, change: GrantChange, event: KmsEvent): GrantRecord => {
  const request = event.requestParameters;
  const created: GrantRecord = {
    grantId: change.grantId,
    keyArn: change.keyArn,
    ...optionalText('granteePrincipal', request.granteePrincipal),
    ...optionalText('retiringPrincipal', request.retiringPrincipal),
    operations: Array.isArray(request.operations) ? request.operations.filter((op): op is string => typeof op === 'string') : [],
    ...constraintsOf(request.constraints),
    ...optionalText('name', request.name),
    ...optionalText('createdBy', event.caller.principal === 'unknown' ? undefined : event.caller.principal),
    ...optionalText('invokedBy', event.caller.invokedBy),
    createdAt: event.eventTime,
    createEventId: event.eventId,
    status: 'active',
    source: 'cloudtrail',
  };
  if (stored === undefined || !isClosed(stored)) return created;
  return { ...created, status: stored.status, closedAt: stored.closedAt, closedBy: stored.closedBy } as GrantRecord;
};

const optionalText = <K extends string>(name: K, value: unknown): { [P in K]?: string } =>
  (typeof value === 'string' && value !== '' ? { [name]: value } : {}) as { [P in K]?: string };

const stringMap = (value: unknown): Record<string, string> | undefined => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
};

const constraintsOf = (value: unknown): { constraints?: GrantConstraints } => {
  if (typeof value !== 'object' || value === null) return {};
  const raw = value as Record<string, unknown>;
  const subset = stringMap(raw.encryptionContextSubset);
  const equals = stringMap(raw.encryptionContextEquals);
  if (subset === undefined && equals === undefined) return {};
  return {
    constraints: {
      ...(subset === undefined ? {} : { encryptionContextSubset: subset }),
      ...(equals === undefined ? {} : { encryptionContextEquals: equals }),
    },
  };
};

/**
 * A grant ListGrants reported, over what the store holds: a closed grant stays closed (undefined: nothing to write),
 * and what CloudTrail told us (creator, invokedBy, the first createdAt) survives the refresh.
 */
export const mergeDiscoveredGrant = (stored: GrantRecord | undefined, discovered: GrantRecord): GrantRecord | undefined => {
  if (stored !== undefined && isClosed(stored)) return undefined;
  return {
    ...discovered,
    createdBy: discovered.createdBy ?? stored?.createdBy,
    invokedBy: discovered.invokedBy ?? stored?.invokedBy,
    createEventId: discovered.createEventId ?? stored?.createEventId,
    createdAt: stored?.createdAt ?? discovered.createdAt,
  };
};
