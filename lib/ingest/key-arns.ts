/**
 * Which keys a CloudTrail record is about, as ARNs, primary first. CloudTrail names keys in several places and
 * none is always there: a symmetric Decrypt has no keyId, ScheduleKeyDeletion's keyId is whatever the caller
 * typed, RetireGrant may have no requestParameters at all, resources[] may be null or use "arn", and a failed
 * call may name its key only in errorMessage.
 *
 * A single-key operation names one key, however many fields name it: resources[] is KMS's own resolution of the
 * request and wins a conflict, then KMS's response, then the request (CreateKey: the response, which names the
 * key it created). Only ReEncrypt (source, destination),
 * ReplicateKey (primary, replica) and UpdateAlias (new target, previous target) name two.
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
  /** errorMessage of a failed call. */
  readonly errorMessage?: string | undefined;
}

/** A key ARN inside free text, such as KMS's "arn:aws:kms:…:key/… is pending deletion.". */
const KEY_ARN_IN_TEXT = /arn:aws[a-z-]*:kms:[a-z0-9-]+:\d+:key\/[A-Za-z0-9_-]+/g;

export const resolveKeyArns = (references: KeyReferences): string[] => {
  const { requestParameters: request, responseElements: response, eventName } = references;
  // A failed call's message names the key that refused it: for a ReEncrypt, possibly the destination.
  const fromMessage = keyArnsInText(references.errorMessage);
  if (fromMessage.length > 0) return fromMessage.slice(0, 1);
  const resources = resourceKeyArns(references.resources);
  switch (eventName) {
    case 'ReEncrypt':
      // resources[] lists [source, destination]; the request names the source only for asymmetric keys.
      return resources.length > 0
        ? resources.slice(0, 2)
        : resolve([response.sourceKeyId, request.sourceKeyId, response.keyId, request.destinationKeyId], references, resources).slice(0, 2);
    case 'ReplicateKey':
      return resolve([request.keyId, field(response.replicaKeyMetadata, 'arn')], references, resources).slice(0, 2);
    case 'UpdateAlias':
      // The new target first; resources[] also carries the key the alias pointed to before.
      return resolve([request.targetKeyId, ...resources], references, resources).slice(0, 2);
    case 'CreateKey':
      // The key did not exist when the request was made: KMS's response names it.
      return resolve([field(response.keyMetadata, 'arn'), ...resources], references, resources).slice(0, 1);
    default:
      return resolve([...resources, response.keyId, request.keyId, request.targetKeyId], references, resources).slice(0, 1);
  }
};

/** KMS key ARNs in CloudTrail resources[] ("ARN", or "arn" in some copies); alias ARNs and others are left out. */
export const resourceKeyArns = (resources: unknown): string[] => {
  if (!Array.isArray(resources)) return [];
  return [
    ...new Set(
      resources.flatMap((resource: unknown) => {
        if (typeof resource !== 'object' || resource === null) return [];
        const entry = resource as Record<string, unknown>;
        const arn = entry.ARN ?? entry.arn;
        return isKeyArn(arn) ? [arn] : [];
      }),
    ),
  ];
};

export const keyArnsInText = (text: string | undefined): string[] =>
  text === undefined ? [] : [...new Set([...text.matchAll(KEY_ARN_IN_TEXT)].map((match) => match[0]).filter(isKeyArn))];

/**
 * Why none of a record's key fields could be resolved, naming the fields and what they held, for a diagnostic:
 * `requestParameters.keyId: "alias/orders" is an alias; resources[]: none`.
 */
export const unresolvedKeyReason = (references: KeyReferences): string => {
  const { requestParameters: request, responseElements: response } = references;
  const named: [string, unknown][] = [
    ['requestParameters.keyId', request.keyId],
    ['requestParameters.targetKeyId', request.targetKeyId],
    ['requestParameters.sourceKeyId', request.sourceKeyId],
    ['requestParameters.destinationKeyId', request.destinationKeyId],
    ['responseElements.keyId', response.keyId],
  ];
  const parts = named.filter(([, value]) => value !== undefined && value !== null).map(([name, value]) => `${name}: ${describeKeyValue(value)}`);
  const resources = Array.isArray(references.resources) ? `${references.resources.length} entries, none a key ARN` : 'none';
  return [...parts, `resources[]: ${resources}`].join('; ');
};

const describeKeyValue = (value: unknown): string => {
  if (typeof value !== 'string') return `not a string (${typeof value})`;
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value.trim() === '') return 'empty';
  if (value.startsWith('alias/') || /^arn:[^:]*:kms:[^:]*:[^:]*:alias\//.test(value)) return `${shown} is an alias`;
  if (/[{}]|Region|account[_-]?ID|key[_-]?ID/i.test(value)) return `${shown} is a placeholder`;
  return `${shown} is not a key id or key ARN`;
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
