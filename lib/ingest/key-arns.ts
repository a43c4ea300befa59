/**
 * Which keys a CloudTrail record is about, as ARNs, primary first. CloudTrail names keys in several places and
 * none is always there: a symmetric Decrypt has no keyId, ScheduleKeyDeletion's keyId is whatever the caller
 * typed, RetireGrant may have no requestParameters at all, resources[] may be null or use "arn".
 */
import { buildKeyArn, isBareKeyId, isKeyArn, isMultiRegionKeyId, keyArnId, keyArnRegion } from './key-arn.js';

export interface KeyReferences {
  readonly eventName: string;
  readonly region: string;
  /** The account a bare key id belongs to (recipientAccountId, else userIdentity.accountId), when known. */
  readonly account: string | undefined;
  readonly requestParameters: Readonly<Record<string, unknown>>;
  readonly responseElements: Readonly<Record<string, unknown>>;
  /** CloudTrail resources[] as recorded: an array, null or absent. */
  readonly resources: unknown;
}

export const resolveKeyArns = (references: KeyReferences): string[] => {
  const { requestParameters: request, responseElements: response, eventName } = references;
  const resources = resourceKeyArns(references.resources);
  if (eventName === 'ReEncrypt') {
    // resources[] lists [source, destination]; the request names the source only for asymmetric keys.
    const named = [...resources, response.sourceKeyId, request.sourceKeyId, response.keyId, request.destinationKeyId];
    return resolve(named, references, resources);
  }
  // KMS's response names the key by ARN: that is the key. resources[] only fills in when it does not
  // (and then also carries UpdateAlias's previous target).
  const fromResponse = eventName === 'CreateKey' ? field(response.keyMetadata, 'arn') : response.keyId;
  const named =
    eventName === 'ReplicateKey'
      ? [request.keyId, field(response.replicaKeyMetadata, 'arn')] // [primary, replica]
      : [fromResponse, request.keyId, request.targetKeyId];
  const candidates = isKeyArn(fromResponse) ? named : [...named, ...resources];
  return resolve(candidates, references, resources);
};

/** KMS key ARNs in CloudTrail resources[] ("ARN", or "arn" in some copies); alias ARNs and others are left out. */
export const resourceKeyArns = (resources: unknown): string[] => {
  if (!Array.isArray(resources)) return [];
  return resources.flatMap((resource: unknown) => {
    if (typeof resource !== 'object' || resource === null) return [];
    const entry = resource as Record<string, unknown>;
    const arn = entry.ARN ?? entry.arn;
    return isKeyArn(arn) ? [arn] : [];
  });
};

/** ARNs as they are; bare ids matched to a known ARN, else built; aliases and anything else dropped. */
const resolve = (candidates: readonly unknown[], references: KeyReferences, resources: readonly string[]): string[] => {
  const known = [...candidates.filter(isKeyArn), ...resources];
  const arns = candidates.flatMap((candidate): string[] => {
    if (isKeyArn(candidate)) return [candidate];
    if (!isBareKeyId(candidate)) return [];
    // A bare multi-Region id names the key in the Region of the call, not a replica elsewhere.
    const match = known.find(
      (arn) => keyArnId(arn) === candidate && (!isMultiRegionKeyId(candidate) || keyArnRegion(arn) === references.region),
    );
    if (match !== undefined) return [match];
    return references.account === undefined ? [] : [buildKeyArn(references.region, references.account, candidate)];
  });
  return [...new Set(arns)];
};

const field = (value: unknown, ...path: readonly string[]): unknown =>
  path.reduce<unknown>(
    (current, key) => (typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[key] : undefined),
    value,
  );
