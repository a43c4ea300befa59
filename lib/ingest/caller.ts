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

const principalOf = (identity: UserIdentity | undefined, region: string): string => {
  const arn = identity?.arn;
  switch (identity?.type) {
    case 'AssumedRole':
      return identity.sessionContext?.sessionIssuer?.arn ?? (arn === undefined ? 'unknown' : normalisePrincipal(arn));
    case 'AWSService':
      return identity.invokedBy ?? 'unknown';
    case 'AWSAccount':
    case 'Root':
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
  const fromContext = serviceOfContext(requestParameters.encryptionContext) ?? serviceOfContext(requestParameters.sourceEncryptionContext);
  if (fromContext !== undefined) return fromContext;
  if ([principal, identity?.arn].some((arn) => arn !== undefined && EC2_INFRASTRUCTURE.test(arn))) return 'ebs';
  const host = identity?.invokedBy === undefined ? null : SERVICE_HOST.exec(identity.invokedBy);
  return host?.[1];
};

const serviceOfContext = (context: unknown): string | undefined => {
  if (typeof context !== 'object' || context === null) return undefined;
  for (const key of Object.keys(context)) {
    const service = SERVICE_CONTEXT_KEY.exec(key)?.[1]?.toLowerCase() ?? LEGACY_CONTEXT_KEYS[key];
    if (service !== undefined) return service;
  }
  return undefined;
};
