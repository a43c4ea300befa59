/**
 * ListGrants is the source of truth in production. The store learns of grants made before the guard ran
 * (discovered, with their CreationDate) and of grants that vanished without an event the guard saw (gone).
 */
import { isServicePrincipal } from '../aws-service-grant.js';
import type { GrantRecord } from '../model.js';

/**
 * KMS grants are eventually consistent: a grant created moments ago may not be listed yet, so a stored
 * grant younger than this is not declared gone.
 */
export const GONE_GRACE_MS = 15 * 60_000;

export interface GrantReconciliation {
  /** Listed by KMS, unknown to the store: to insert. */
  readonly discovered: readonly GrantRecord[];
  /** Active in the store, no longer listed by KMS: to close as 'gone'. */
  readonly gone: readonly GrantRecord[];
  /** The key's grants that are active after reconciliation, the store's facts completed by KMS's. */
  readonly active: readonly GrantRecord[];
}

/** `stored` must be read before `listed`, so that every stored grant existed when KMS was asked. */
export const reconcileGrants = (stored: readonly GrantRecord[], listed: readonly GrantRecord[], now: Date): GrantReconciliation => {
  const storedById = new Map(stored.map((grant) => [grant.grantId, grant]));
  const listedById = new Map(listed.map((grant) => [grant.grantId, grant]));
  const discovered = listed
    .filter((grant) => !storedById.has(grant.grantId))
    .map((grant): GrantRecord => ({ ...grant, status: 'active', source: 'list-grants' }));
  const gone = stored.filter(
    (grant) =>
      grant.status === 'active' &&
      !listedById.has(grant.grantId) &&
      !(now.getTime() - Date.parse(grant.createdAt) < GONE_GRACE_MS),
  );
  const goneIds = new Set(gone.map((grant) => grant.grantId));
  const stillActive = stored
    .filter((grant) => grant.status === 'active' && !goneIds.has(grant.grantId))
    .map((grant) => completeFrom(grant, listedById.get(grant.grantId)));
  return { discovered, gone, active: [...stillActive, ...discovered] };
};

/**
 * The store's record (it knows who created the grant and through which service), gaps filled from KMS.
 * A service principal KMS reports wins, so that an AWS service's grant is always recognised as one.
 */
const completeFrom = (stored: GrantRecord, listed: GrantRecord | undefined): GrantRecord => {
  if (listed === undefined) return stored;
  const prefer = (fromStore: string | undefined, fromKms: string | undefined) =>
    isServicePrincipal(fromKms) ? fromKms : (fromStore ?? fromKms);
  return {
    ...stored,
    granteePrincipal: prefer(stored.granteePrincipal, listed.granteePrincipal),
    retiringPrincipal: prefer(stored.retiringPrincipal, listed.retiringPrincipal),
    constraints: stored.constraints ?? listed.constraints,
    name: stored.name ?? listed.name,
    operations: stored.operations.length > 0 ? stored.operations : listed.operations,
    ...((stored.issuingAccount ?? listed.issuingAccount) === undefined ? {} : { issuingAccount: stored.issuingAccount ?? listed.issuingAccount }),
  };
};
