/**
 * Is this grant held for an AWS service? Such grants (EBS volumes, RDS, Lambda, Secrets Manager…) back
 * running workloads: the deletion guard treats them as proof a key is needed, and the grant expirer never
 * revokes them. One definition, shared by both.
 */
import type { GrantRecord } from './model.js';

export interface ServiceGrantVerdict {
  readonly serviceGrant: boolean;
  /** Why, as short facts ("retiring principal ec2.us-east-1.amazonaws.com"). Empty when not a service grant. */
  readonly evidence: readonly string[];
}

const SERVICE_PRINCIPAL = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/;
/** EC2's role for EBS attach, whether written as the role or as an instance session of it. */
const EC2_INFRASTRUCTURE = /(^|[:/])aws:ec2-infrastructure([/:]|$)/;

export const isServicePrincipal = (principal: string | undefined): boolean =>
  principal !== undefined && SERVICE_PRINCIPAL.test(principal);

export const classifyGrant = (grant: GrantRecord): ServiceGrantVerdict => {
  const evidence: string[] = [];
  if (isServicePrincipal(grant.granteePrincipal)) evidence.push(`grantee principal ${grant.granteePrincipal}`);
  if (isServicePrincipal(grant.retiringPrincipal)) evidence.push(`retiring principal ${grant.retiringPrincipal}`);
  for (const principal of [grant.granteePrincipal, grant.retiringPrincipal]) {
    if (principal !== undefined && EC2_INFRASTRUCTURE.test(principal)) evidence.push(`EC2 infrastructure role ${principal}`);
  }
  const context = { ...grant.constraints?.encryptionContextSubset, ...grant.constraints?.encryptionContextEquals };
  for (const contextKey of Object.keys(context)) {
    if (contextKey.startsWith('aws:')) evidence.push(`encryption context constraint ${contextKey}`);
  }
  if (isServicePrincipal(grant.invokedBy)) evidence.push(`created by ${grant.invokedBy}`);
  return { serviceGrant: evidence.length > 0, evidence };
};
