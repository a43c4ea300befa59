/** Rule 4: an AWS service holds a grant (an attached EBS volume decrypts its data key only at attach time). */
import { classifyGrant } from '../../aws-service-grant.js';
import { NOT_APPLICABLE, type DeletionRule } from '../rule.js';

export const awsServiceGrant: DeletionRule = (evidence) => {
  const matched = evidence.activeGrants
    .map((grant) => ({ grant, verdict: classifyGrant(grant) }))
    .filter(({ verdict }) => verdict.serviceGrant)
    .map(({ grant, verdict }) => ({
      grantId: grant.grantId,
      ...(grant.name === undefined ? {} : { name: grant.name }),
      ...(grant.granteePrincipal === undefined ? {} : { granteePrincipal: grant.granteePrincipal }),
      evidence: verdict.evidence,
    }));
  if (matched.length === 0) return NOT_APPLICABLE;
  return { applies: true, action: 'cancel-deletion', reason: 'aws-service-grant', facts: { grants: matched } };
};
