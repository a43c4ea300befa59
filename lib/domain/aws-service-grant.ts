/**
 * Is this grant held for an AWS service? Such grants (EBS volumes, RDS, Auto Scaling…) back running workloads:
 * the deletion guard treats them as proof a key is needed, and the grant expirer never revokes them. One
 * definition, shared by both.
 *
 * It is decided only by what the grant's creator cannot fake: who gets the grant (a service principal, EC2's
 * aws:ec2-infrastructure role, a service-linked role, all of which only AWS can act as) and how it was created
 * (CloudTrail's invokedBy on the CreateGrant, set by AWS). A service retiring principal and aws:* encryption-context
 * constraints are chosen by whoever calls CreateGrant: they are reported as supporting signals, never deciding.
 */
import { iamEntityOf } from './principal.js';
import type { GrantRecord } from './model.js';

export interface ServiceGrantVerdict {
  readonly serviceGrant: boolean;
  /** Why it is one, as short facts ("grantee rds.us-east-1.amazonaws.com is an AWS service"). Empty when not. */
  readonly evidence: readonly string[];
  /** Service-looking facts the grant's creator chose (a service retiring principal, aws:* constraints). */
  readonly supportingSignals: readonly string[];
  /**
   * Not decided, but it cannot be ruled out: the guard never saw the grant created (it was found by ListGrants)
   * and it carries supporting signals, or CloudTrail says it was created "AWS Internal". The safe side keeps it.
   */
  readonly possibleServiceGrant: boolean;
}

const SERVICE_PRINCIPAL = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/;
/** `arn:<partition>:iam::<account>:role/aws-service-role/<service principal>/<name>`: only the service can assume it. */
const SERVICE_LINKED_ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/aws-service-role\/([a-z0-9-]+(?:\.[a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?)\/[^/]+$/;
/** EC2's role as CloudTrail once wrote it in a grant: `<account>:aws:ec2-infrastructure[:<instance>]` (a principal id). */
const EC2_INFRASTRUCTURE_ID = /^\d{12}:aws:ec2-infrastructure(:[^:/]+)?$/;
const EC2_INFRASTRUCTURE_ROLE = 'aws:ec2-infrastructure';
/** invokedBy hosts that are a person at the console, not a service acting for a workload. */
const CONSOLE_HOSTS: ReadonlySet<string> = new Set(['signin.amazonaws.com', 'console.amazonaws.com']);

export const isServicePrincipal = (principal: string | undefined): boolean =>
  principal !== undefined && SERVICE_PRINCIPAL.test(principal);

/**
 * EC2's aws:ec2-infrastructure role, as a role ARN, a session ARN or a principal id. Customer role names
 * cannot contain ":", so only AWS has it; a path that merely contains it is not it.
 */
export const isEc2Infrastructure = (principal: string | undefined): boolean => {
  if (principal === undefined) return false;
  const entity = iamEntityOf(principal.trim());
  return entity === undefined ? EC2_INFRASTRUCTURE_ID.test(principal.trim()) : entity.kind === 'role' && entity.name === EC2_INFRASTRUCTURE_ROLE;
};

/** The service of a service-linked role ARN (`…:role/aws-service-role/autoscaling.amazonaws.com/…`), else undefined. */
export const serviceOfLinkedRole = (principal: string | undefined): string | undefined =>
  principal === undefined ? undefined : SERVICE_LINKED_ROLE.exec(principal.trim())?.[1];

export const classifyGrant = (grant: GrantRecord): ServiceGrantVerdict => {
  const grantee = grant.granteePrincipal;
  const evidence: string[] = [];
  if (isServicePrincipal(grantee)) evidence.push(`grantee ${grantee} is an AWS service`);
  if (isEc2Infrastructure(grantee)) evidence.push(`grantee ${grantee} is EC2's aws:ec2-infrastructure role`);
  const linkedService = serviceOfLinkedRole(grantee);
  if (linkedService !== undefined) evidence.push(`grantee ${grantee} is a service-linked role of ${linkedService}`);
  if (isServicePrincipal(grant.invokedBy) && !CONSOLE_HOSTS.has(grant.invokedBy ?? '')) evidence.push(`created by ${grant.invokedBy}`);

  const supportingSignals: string[] = [];
  if (isServicePrincipal(grant.retiringPrincipal)) supportingSignals.push(`retiring principal ${grant.retiringPrincipal}`);
  if (isEc2Infrastructure(grant.retiringPrincipal)) supportingSignals.push(`retiring principal ${grant.retiringPrincipal}`);
  const context = { ...grant.constraints?.encryptionContextSubset, ...grant.constraints?.encryptionContextEquals };
  for (const contextKey of Object.keys(context)) {
    if (contextKey.startsWith('aws:')) supportingSignals.push(`encryption context constraint ${contextKey}`);
  }

  const serviceGrant = evidence.length > 0;
  const creationUnseen = grant.createEventId === undefined;
  const possibleServiceGrant = !serviceGrant && ((creationUnseen && supportingSignals.length > 0) || grant.invokedBy === 'AWS Internal');
  return { serviceGrant, evidence, supportingSignals, possibleServiceGrant };
};
