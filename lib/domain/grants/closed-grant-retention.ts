/**
 * A closed grant (retired, revoked, gone) is kept only to stay closed: a CreateGrant delivered after its
 * RetireGrant must not reopen it. Nothing reads closed grants otherwise, so they expire from the store (TTL).
 * The retention outlasts any redelivery: EventBridge retries for 24 hours, an SQS dead-letter queue keeps a
 * message at most 14 days, and KMS's own ListGrants closes whatever a very late event would wrongly reopen.
 */
import type { GrantRecord } from '../model.js';

export const CLOSED_GRANT_RETENTION_DAYS = 30;
const DAY_S = 86_400;

/** Epoch seconds at which the stored grant may be deleted; undefined while it is active or its close time is unreadable. */
export const closedGrantExpiresAt = (grant: Pick<GrantRecord, 'status' | 'closedAt'>): number | undefined => {
  if (grant.status === 'active' || grant.closedAt === undefined) return undefined;
  const closedMs = Date.parse(grant.closedAt);
  return Number.isNaN(closedMs) ? undefined : Math.floor(closedMs / 1000) + CLOSED_GRANT_RETENTION_DAYS * DAY_S;
};
