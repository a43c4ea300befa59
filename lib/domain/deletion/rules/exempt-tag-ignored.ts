/**
 * Modifier: the key carries kms-guard:allow-deletion=true, but the tag does not count (set minutes before the
 * scheduling, by the scheduler, or never seen being set): the key is judged on its evidence, and the decision says why.
 */
import { exemptionStanding } from '../exemption-tag.js';
import { NOT_APPLICABLE, type DeletionModifier } from '../rule.js';

export const exemptTagIgnored: DeletionModifier = (evidence, policy) => {
  const standing = exemptionStanding(evidence, policy);
  return standing.kind === 'ignored' ? { applies: true, reason: 'exempt-tag-ignored', facts: standing.facts } : NOT_APPLICABLE;
};
