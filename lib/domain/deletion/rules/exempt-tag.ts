/**
 * Rule 2a: the key's owners marked it deletable with the tag kms-guard:allow-deletion=true, well before the
 * scheduling and not by its scheduler (exemption-tag.ts); otherwise the modifier exempt-tag-ignored says why.
 */
import { exemptionStanding } from '../exemption-tag.js';
import { NOT_APPLICABLE, type DeletionRule } from '../rule.js';

export { EXEMPT_TAG } from '../exemption-tag.js';

export const exemptTag: DeletionRule = (evidence, policy) => {
  const standing = exemptionStanding(evidence, policy);
  if (standing.kind !== 'trusted') return NOT_APPLICABLE;
  return { applies: true, action: 'allow-deletion', reason: 'exempt-tag', facts: standing.facts };
};
