/**
 * Who a grantee is, so that a caller seen in CloudTrail can be matched to it. Callers arrive normalised
 * (role ARN, never the assumed-role session); grantees are written however the grant's creator typed them.
 */
import { ACCOUNT_ID, ACCOUNT_ROOT, iamEntityOf } from '../principal.js';

export type PrincipalIdentity =
  | { readonly kind: 'role' | 'user'; readonly accountId: string; readonly name: string }
  | { readonly kind: 'account'; readonly accountId: string }
  | { readonly kind: 'service'; readonly service: string }
  | { readonly kind: 'unknown' };

const SERVICE = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/;

export const identify = (principal: string | undefined): PrincipalIdentity => {
  if (principal === undefined) return { kind: 'unknown' };
  const normalised = principal.trim();
  // A session counts as its role; role and user names are unique per account whatever their path.
  const entity = iamEntityOf(normalised);
  if (entity !== undefined) return { kind: entity.kind, accountId: entity.accountId, name: entity.name };
  const root = ACCOUNT_ROOT.exec(normalised);
  if (root !== null) return { kind: 'account', accountId: root[1] ?? '' };
  if (ACCOUNT_ID.test(normalised)) return { kind: 'account', accountId: normalised };
  if (SERVICE.test(normalised)) return { kind: 'service', service: normalised };
  return { kind: 'unknown' };
};

/**
 * Could this caller be the grantee? `unsure` when either side is a form we cannot read (a principal id,
 * "unknown"), or when the caller is known only by its account: another account's call is logged in the key
 * owner's trail as `{type: "AWSAccount", accountId}` without an ARN, so it may be any principal of that account.
 * The caller then counts, which keeps the grant (the safe side).
 */
export const matchGrantee = (granteePrincipal: string | undefined, callerPrincipal: string): 'yes' | 'no' | 'unsure' => {
  const grantee = identify(granteePrincipal);
  const caller = identify(callerPrincipal);
  if (grantee.kind === 'unknown' || caller.kind === 'unknown') return 'unsure';
  if (grantee.kind === 'service') return caller.kind === 'service' && caller.service === grantee.service ? 'yes' : 'no';
  if (caller.kind === 'service') return 'no';
  if (grantee.accountId !== caller.accountId) return 'no';
  // A grant to an account lets any principal of that account that IAM allows use it.
  if (grantee.kind === 'account') return 'yes';
  if (caller.kind === 'account') return 'unsure';
  return grantee.kind === caller.kind && grantee.name === caller.name ? 'yes' : 'no';
};
