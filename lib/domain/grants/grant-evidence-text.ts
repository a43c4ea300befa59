/**
 * A revoke-grant decision in words a reviewer can check against CloudTrail and ListGrants: who created the grant
 * and when, what the grantee may do, what was looked for and not found, and why service-looking fields did not
 * make it an AWS service's grant.
 */
import type { GrantRecord } from '../model.js';
import { identify } from './principal.js';

const KEY_ACCOUNT = /^arn:[a-z-]+:kms:[a-z0-9-]+:(\d{12}):key\//;

/** "A", "A or B", "A, B or C". */
export const listInWords = (items: readonly string[], conjunction: 'and' | 'or'): string =>
  items.length <= 1 ? (items[0] ?? 'nothing') : `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)}`;

/** `role/batch-job`, `role/partner-app of account 444455556666`, `account 444455556666`, a service as it is. */
export const principalInWords = (principal: string | undefined, keyArn: string): string => {
  if (principal === undefined) return 'an unnamed principal';
  const identity = identify(principal);
  const keyAccount = KEY_ACCOUNT.exec(keyArn)?.[1];
  switch (identity.kind) {
    case 'role':
    case 'user':
      return `${identity.kind}/${identity.name}${identity.accountId === keyAccount ? '' : ` of account ${identity.accountId}`}`;
    case 'account':
      return `account ${identity.accountId}`;
    default:
      return principal;
  }
};

/** Whose calls would show the grant used: for a grant to an account, any of its principals. */
const callersInWords = (grant: Pick<GrantRecord, 'granteePrincipal' | 'keyArn'>): string => {
  const words = principalInWords(grant.granteePrincipal, grant.keyArn);
  return identify(grant.granteePrincipal).kind === 'account' ? `any principal of ${words}` : words;
};

export const creationInWords = (grant: GrantRecord): string => {
  if (grant.createEventId === undefined) {
    const issuer = grant.issuingAccount === undefined ? '' : ` from ${principalInWords(grant.issuingAccount, grant.keyArn)}`;
    return `created ${grant.createdAt}${issuer}, found by ListGrants: kms-guard did not see its CreateGrant, so who made it is not known`;
  }
  const creator = grant.createdBy === undefined ? 'a caller CloudTrail did not name' : principalInWords(grant.createdBy, grant.keyArn);
  const through = grant.invokedBy === undefined ? '' : ` through ${grant.invokedBy}`;
  return `created by ${creator}${through} at ${grant.createdAt} (CloudTrail CreateGrant ${grant.createEventId})`;
};

export const permissionsInWords = (grant: GrantRecord): string => {
  const parts = [`${principalInWords(grant.granteePrincipal, grant.keyArn)} may ${listInWords(grant.operations, 'and')} on this key`];
  const context = { ...grant.constraints?.encryptionContextSubset, ...grant.constraints?.encryptionContextEquals };
  if (Object.keys(context).length > 0) parts.push(`only with encryption context ${JSON.stringify(context)}`);
  if (grant.retiringPrincipal !== undefined) parts.push(`retiring principal ${grant.retiringPrincipal}`);
  if (grant.name !== undefined) parts.push(`name "${grant.name}"`);
  return parts.join('; ');
};

export interface SearchFacts {
  readonly lookedFor: readonly string[];
  readonly recentUseDays: number;
  readonly since: string;
  /** The latest call on record that could have used the grant, however old. */
  readonly lastKnown?: { readonly at: string; readonly operations: readonly string[] };
}

/** "no Decrypt or GenerateDataKey by role/batch-job on this key in 30 days (since …); the last was …". */
export const searchInWords = (grant: GrantRecord, facts: SearchFacts): string => {
  const searched = `no ${listInWords(facts.lookedFor, 'or')} by ${callersInWords(grant)} on this key in ${facts.recentUseDays} days (since ${facts.since})`;
  const last =
    facts.lastKnown === undefined
      ? 'none is on record'
      : `the last on record was ${listInWords(facts.lastKnown.operations, 'and')} at ${facts.lastKnown.at}`;
  return `${searched}; ${last}`;
};

export const ageInWords = (ageDays: number, maxAgeDays: number, maxAgeSource: string): string =>
  `${ageDays} days old, past the ${maxAgeDays}-day limit (${maxAgeSource})`;

export const ttlInWords = (ttlDays: number, expiresAt: string): string =>
  `its name sets a ${ttlDays}-day lifetime (kms-guard:ttl:${ttlDays}d), which ended at ${expiresAt}`;

export const supportingSignalInWords = (signal: string): string =>
  `${signal} is chosen by whoever creates the grant, so it does not make this an AWS service's grant: the grantee and the creator decide`;
