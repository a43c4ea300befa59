/**
 * IAM principals as CloudTrail, key policies and grants write them, read in one place. A caller counts as its
 * role, never its assumed-role session; a role's path is not in the session ARN CloudTrail writes, so an
 * entity is known by account, kind and name.
 */

/** `arn:<partition>:sts::<account>:assumed-role/<role>/<session>`. */
export const ASSUMED_ROLE_SESSION = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;
/** `arn:<partition>:iam::<account>:role|user/<path/><name>`. */
export const IAM_ROLE_OR_USER = /^arn:(aws[a-z-]*):iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/;
export const ACCOUNT_ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;
/** A bare account id, as key policies and grants may name a whole account. */
export const ACCOUNT_ID = /^\d{12}$/;

export interface IamEntity {
  readonly partition: string;
  readonly accountId: string;
  readonly kind: 'role' | 'user';
  /** Without the path: role and user names are unique per account whatever their path. */
  readonly name: string;
}

export const accountRoot = (accountId: string, partition = 'aws'): string => `arn:${partition}:iam::${accountId}:root`;

/** The role of an assumed-role session ARN (`arn:aws:sts::<acct>:assumed-role/R/s` → `arn:aws:iam::<acct>:role/R`), else undefined. */
export const roleOfSession = (arn: string): string | undefined => {
  const session = ASSUMED_ROLE_SESSION.exec(arn);
  return session === null ? undefined : `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`;
};

/** An assumed-role session counts for its role; any other principal is left as it is. */
export const normalisePrincipal = (principal: string): string => roleOfSession(principal) ?? principal;

/** A role or user ARN (a session ARN counts as its role), read; undefined for any other principal. */
export const iamEntityOf = (principal: string): IamEntity | undefined => {
  const entity = IAM_ROLE_OR_USER.exec(normalisePrincipal(principal));
  if (entity === null) return undefined;
  const [, partition = 'aws', accountId = '', kind, name = ''] = entity;
  return { partition, accountId, kind: kind === 'role' ? 'role' : 'user', name };
};
