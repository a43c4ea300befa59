/**
 * Who made a KMS call, normalised so that every session of a role counts as the role, and which AWS service
 * (EBS, S3, Lambda…) acted for them. CloudTrail's userIdentity differs by identity type; this is the one place
 * that knows how.
 */
import type { Caller } from '../domain/kms-event.js';
import { accountRoot, normalisePrincipal } from '../domain/principal.js';
import { partitionOf } from './key-arn.js';
import type { UserIdentity } from './schemas.js';

/** EC2's role for attaching encrypted EBS volumes, as a role ARN, a session ARN or a principal id. */
const EC2_INFRASTRUCTURE = /(^|[:/])aws:ec2-infrastructure([/:]|$)/;
const SERVICE_HOST = /^([a-z0-9.-]+)\.amazonaws\.com(\.cn)?$/;
/** Encryption-context keys AWS services set: "aws:<service>:<name>" (aws:ebs:id, aws:s3:arn, aws:lambda:FunctionArn…). */
const SERVICE_CONTEXT_KEY = /^aws:([a-z0-9-]+):/i;
/** Secrets Manager's context predates the aws: convention: {"SecretARN": …, "SecretVersionId": …}. */
const LEGACY_CONTEXT_KEYS: Readonly<Record<string, string>> = { SecretARN: 'secretsmanager' };

export const normaliseCaller = (
  identity: UserIdentity | undefined,
  requestParameters: Readonly<Record<string, unknown>>,
  region: string,
): Caller => {
  const principal = principalOf(identity, region);
  const invokedBy = identity?.invokedBy;
  const service = serviceOf(identity, principal, requestParameters);
  return {
    principal,
    principalType: identity?.type ?? 'Unknown',
    ...(service === undefined ? {} : { service }),
    ...(invokedBy === undefined ? {} : { invokedBy }),
  };
};

/** A session ARN counts for its role by its shape, whatever identity type CloudTrail gave it. */
const principalOf = (identity: UserIdentity | undefined, region: string): string => {
  const arn = identity?.arn === undefined ? undefined : normalisePrincipal(identity.arn);
  switch (identity?.type) {
    case 'AssumedRole':
      return identity.sessionContext?.sessionIssuer?.arn ?? arn ?? 'unknown';
    case 'AWSService':
      return identity.invokedBy ?? 'unknown';
    case 'AWSAccount':
    case 'Root':
      // Another account's caller is logged in the key owner's trail with its account id only: the account is all we know.
      if (arn !== undefined) return arn;
      return identity.accountId === undefined ? 'unknown' : accountRoot(identity.accountId, partitionOf(region));
    default:
      return arn ?? 'unknown';
  }
};

/** The first that applies: the encryption context a service set, EC2's infrastructure role, invokedBy. */
const serviceOf = (
  identity: UserIdentity | undefined,
  principal: string,
  requestParameters: Readonly<Record<string, unknown>>,
): string | undefined => {
  const invokedByService = identity?.invokedBy === undefined ? undefined : SERVICE_HOST.exec(identity.invokedBy)?.[1];
  const fromContext = serviceOfContext(
    [...servicesOfContext(requestParameters.encryptionContext), ...servicesOfContext(requestParameters.sourceEncryptionContext)],
    invokedByService,
  );
  if (fromContext !== undefined) return fromContext;
  if ([principal, identity?.arn].some((arn) => arn !== undefined && EC2_INFRASTRUCTURE.test(arn))) return 'ebs';
  return invokedByService;
};

/**
 * A context may name several services: a CloudTrail log file is an S3 object that carries both aws:cloudtrail:arn
 * and aws:s3:arn. The service that called (invokedBy) wins when the context names it (CloudTrail writing its log);
 * otherwise S3 is the one that decrypts its objects for a reader ("AWS Internal"), else the first named.
 */
const serviceOfContext = (named: readonly string[], invokedByService: string | undefined): string | undefined => {
  if (invokedByService !== undefined && named.includes(invokedByService)) return invokedByService;
  if (named.length > 1 && named.includes('s3')) return 's3';
  return named[0];
};

const servicesOfContext = (context: unknown): string[] => {
  if (typeof context !== 'object' || context === null) return [];
  const services = Object.keys(context).flatMap((key) => SERVICE_CONTEXT_KEY.exec(key)?.[1]?.toLowerCase() ?? LEGACY_CONTEXT_KEYS[key] ?? []);
  return [...new Set(services)];
};
