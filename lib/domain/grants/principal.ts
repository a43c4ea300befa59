/**
 * Who a grantee is, so that a caller seen in CloudTrail can be matched to it. Callers arrive normalised
 * (role ARN, never the assumed-role session); grantees are written however the grant's creator typed them.
 */

export type PrincipalIdentity =
  | { readonly kind: 'role' | 'user'; readonly accountId: string; readonly name: string }
  | { readonly kind: 'account'; readonly accountId: string }
  | { readonly kind: 'service'; readonly service: string }
  | { readonly kind: 'unknown' };

const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;
const IAM_ENTITY = /^arn:aws[a-z-]*:iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/;
const ACCOUNT_ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;
const ACCOUNT_ID = /^\d{12}$/;
const SERVICE = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/;

/** An assumed-role session counts for its role: `arn:aws:sts::1:assumed-role/R/s` → `arn:aws:iam::1:role/R`. */
export const normalisePrincipal = (principal: string): string => {
  const session = ASSUMED_ROLE.exec(principal);
  return session === null ? principal : `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`;
};

export const identify = (principal: string | undefined): PrincipalIdentity => {
  if (principal === undefined) return { kind: 'unknown' };
  const normalised = normalisePrincipal(principal.trim());
  const entity = IAM_ENTITY.exec(normalised);
  // Role and user names are unique per account whatever their path, and session ARNs carry no path.
  if (entity !== null) return { kind: entity[2] === 'role' ? 'role' : 'user', accountId: entity[1] ?? '', name: entity[3] ?? '' };
  const root = ACCOUNT_ROOT.exec(normalised);
  if (root !== null) return { kind: 'account', accountId: root[1] ?? '' };
  if (ACCOUNT_ID.test(normalised)) return { kind: 'account', accountId: normalised };
  if (SERVICE.test(normalised)) return { kind: 'service', service: normalised };
  return { kind: 'unknown' };
};

/**
 * Could this caller be the grantee? `unsure` when either side is a form we cannot read (a principal id,
 * "unknown"): the caller then counts, which keeps the grant (the safe side).
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
  return grantee.kind === caller.kind && grantee.name === caller.name ? 'yes' : 'no';
};
