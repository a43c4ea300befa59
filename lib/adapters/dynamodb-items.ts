/**
 * How domain records sit in table items: keys and index attributes at the top, the record itself under
 * `data`. Items are only ever written by these adapters, so reading trusts their shape.
 */
import { closedGrantExpiresAt } from '../domain/grants/closed-grant-retention.js';
import type { Decision, GrantRecord, KeyRecord } from '../domain/model.js';
import type { UsageDay } from '../domain/usage.js';
import type { NonUseCallRecord } from '../domain/non-use-calls.js';
import { isPendingDeletion } from '../domain/key-state.js';
import type { Item } from './dynamodb-occ.js';
import {
  DECISION_SK,
  GSI1_ACTIVE_GRANT,
  GSI1_DECISION,
  GSI1_PENDING_DELETION,
  NON_USE_SK,
  STATE_SK,
  TTL_ATTRIBUTE,
  USAGE_RETENTION_DAYS,
  daySk,
  decisionPk,
  grantSk,
  keyPk,
} from './dynamodb-table.js';

/** Applied eventIDs kept on a key record and a grant, to report duplicates. Applying twice is harmless anyway. */
export const APPLIED_EVENT_IDS = 200;

const data = <T>(item: Item | undefined): T | undefined =>
  typeof item?.data === 'object' && item.data !== null ? (item.data as T) : undefined;

export const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];

export const usageKey = (keyArn: string, day: string) => ({ pk: keyPk(keyArn), sk: daySk(day) });
export const readUsageDay = (item: Item | undefined): UsageDay | undefined => data<UsageDay>(item);
export const usageItem = (day: UsageDay): Item => ({
  type: 'usage',
  [TTL_ATTRIBUTE]: Math.floor(Date.parse(`${day.day}T00:00:00Z`) / 1000) + USAGE_RETENTION_DAYS * 86_400,
  data: day,
});

export const stateKey = (keyArn: string) => ({ pk: keyPk(keyArn), sk: STATE_SK });
export const readKeyRecord = (item: Item | undefined): KeyRecord | undefined => data<KeyRecord>(item);
/** gsi1 holds the key only while it is pending deletion (a sparse index for listKeysPendingDeletion). */
export const keyItem = (record: KeyRecord, appliedEventIds: readonly string[]): Item => ({
  type: 'key',
  data: record,
  appliedEventIds: appliedEventIds.slice(-APPLIED_EVENT_IDS),
  ...(isPendingDeletion(record) ? { gsi1pk: GSI1_PENDING_DELETION, gsi1sk: record.keyArn } : {}),
});

export const nonUseKey = (keyArn: string) => ({ pk: keyPk(keyArn), sk: NON_USE_SK });
export const readNonUseCalls = (item: Item | undefined): NonUseCallRecord | undefined => data<NonUseCallRecord>(item);
export const nonUseItem = (record: NonUseCallRecord, appliedEventIds: readonly string[]): Item => ({
  type: 'non-use-calls',
  data: record,
  appliedEventIds: appliedEventIds.slice(-APPLIED_EVENT_IDS),
});

export const grantKey = (keyArn: string, grantId: string) => ({ pk: keyPk(keyArn), sk: grantSk(grantId) });
export const readGrant = (item: Item | undefined): GrantRecord | undefined => data<GrantRecord>(item);
/** gsi1 holds the grant only while it is active (a sparse index for the grant queries); a closed one expires (TTL). */
export const grantItem = (grant: GrantRecord, appliedEventIds: readonly string[]): Item => {
  const expiresAt = closedGrantExpiresAt(grant);
  return {
    type: 'grant',
    status: grant.status,
    data: grant,
    appliedEventIds: appliedEventIds.slice(-APPLIED_EVENT_IDS),
    ...(grant.status === 'active' ? { gsi1pk: GSI1_ACTIVE_GRANT, gsi1sk: activeGrantSk(grant.keyArn, grant.grantId) } : {}),
    ...(expiresAt === undefined ? {} : { [TTL_ATTRIBUTE]: expiresAt }),
  };
};

/** gsi1's sort key for an active grant: a key's active grants are the ones beginning with `activeGrantSk(keyArn, '')`. */
export const activeGrantSk = (keyArn: string, grantId: string): string => `${keyArn}#${grantId}`;

export const decisionKey = (decisionId: string) => ({ pk: decisionPk(decisionId), sk: DECISION_SK });
export const readDecision = (item: Item | undefined): Decision | undefined => data<Decision>(item);
export const decisionItem = (decision: Decision, status: 'claimed' | 'done' | 'failed'): Item => ({
  ...decisionKey(decision.decisionId),
  type: 'decision',
  status,
  data: decision,
  gsi1pk: GSI1_DECISION,
  gsi1sk: `${decision.decidedAt}#${decision.decisionId}`,
});
