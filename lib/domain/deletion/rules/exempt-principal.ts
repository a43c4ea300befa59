/** Rule 2b: whoever scheduled the deletion is trusted to delete keys (e.g. the IaC deployment role). */
import { samePrincipal } from '../principal.js';
import { NOT_APPLICABLE, type DeletionRule } from '../rule.js';

export const exemptPrincipal: DeletionRule = (evidence, policy) => {
  const scheduler = evidence.scheduling?.by;
  if (scheduler === undefined) return NOT_APPLICABLE;
  const match = policy.exemptPrincipals.find((exempt) => samePrincipal(exempt, scheduler));
  if (match === undefined) return NOT_APPLICABLE;
  return { applies: true, action: 'allow-deletion', reason: 'exempt-principal', facts: { scheduledBy: scheduler, exemptPrincipal: match } };
};
