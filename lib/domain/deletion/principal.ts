/**
 * Principals compared the way IAM means them: an assumed-role session is its role, and a role ARN's path
 * is not part of the session ARN CloudTrail writes, so roles compare by account and name.
 */
import { ACCOUNT_ID, accountRoot, iamEntityOf } from '../principal.js';

export const principalKey = (principal: string): string => {
  const text = principal.trim();
  const entity = iamEntityOf(text);
  if (entity?.kind === 'role') return `role:${entity.partition}:${entity.accountId}:${entity.name}`;
  // An account id on its own stands for the account's root, as in key policies.
  if (ACCOUNT_ID.test(text)) return accountRoot(text);
  return text;
};

export const samePrincipal = (a: string, b: string): boolean => principalKey(a) === principalKey(b);
