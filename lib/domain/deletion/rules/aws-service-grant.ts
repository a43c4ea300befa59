/**
 * Rule 4: an AWS service holds a grant (an attached EBS volume decrypts its data key only at attach time).
 * A grant that only may be a service's (its creation was never seen and it carries a service's retiring principal
 * or aws:* constraint, or it was created "AWS Internal") counts too: cancelling is the reversible side, and a
 * creator's choices can only make the guard cancel here, never revoke (the grant expirer keeps such grants).
 * A shared EBS key may hold thousands of volume grants: the evidence names the first few and counts the rest,
 * so the decision stays within its size budget (size-budget.ts) and is always stored and published.
 */
import { classifyGrant } from '../../aws-service-grant.js';
import { capList } from '../../size-budget.js';
import { NOT_APPLICABLE, type DeletionRule } from '../rule.js';

/** Service grants named in the evidence; the rest are counted in `grantsOmitted`. */
export const MAX_EVIDENCE_GRANTS = 20;

export const awsServiceGrant: DeletionRule = (evidence) => {
  const matched = evidence.activeGrants
    .map((grant) => ({ grant, verdict: classifyGrant(grant) }))
    .filter(({ verdict }) => verdict.serviceGrant || verdict.possibleServiceGrant);
  if (matched.length === 0) return NOT_APPLICABLE;
  const { kept, omitted } = capList(matched, MAX_EVIDENCE_GRANTS);
  const grants = kept.map(({ grant, verdict }) => ({
    grantId: grant.grantId,
    ...(grant.name === undefined ? {} : { name: grant.name }),
    ...(grant.granteePrincipal === undefined ? {} : { granteePrincipal: grant.granteePrincipal }),
    evidence: verdict.serviceGrant ? verdict.evidence : verdict.supportingSignals,
    ...(verdict.serviceGrant ? {} : { possible: true }),
  }));
  const possible = matched.filter(({ verdict }) => !verdict.serviceGrant).length;
  return {
    applies: true,
    action: 'cancel-deletion',
    reason: 'aws-service-grant',
    facts: {
      grants,
      serviceGrants: matched.length,
      ...(possible === 0 ? {} : { possibleServiceGrants: possible }),
      ...(omitted === 0 ? {} : { grantsOmitted: omitted }),
    },
  };
};
