/** Rule 2a: the key's owners marked it deletable with the tag kms-guard:allow-deletion=true. */
import { NOT_APPLICABLE, type DeletionRule } from '../rule.js';

export const EXEMPT_TAG = 'kms-guard:allow-deletion';

export const exemptTag: DeletionRule = (evidence) => {
  const value = evidence.tags[EXEMPT_TAG];
  if (value?.trim().toLowerCase() !== 'true') return NOT_APPLICABLE;
  return { applies: true, action: 'allow-deletion', reason: 'exempt-tag', facts: { tag: `${EXEMPT_TAG}=${value}` } };
};
