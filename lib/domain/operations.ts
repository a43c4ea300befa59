/** Which KMS operations count as what. The guard's notion of "use" lives here. */

/** Operations that use key material: a success proves a workload depends on the key. */
export const CRYPTOGRAPHIC_OPERATIONS: ReadonlySet<string> = new Set([
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateMac',
  'VerifyMac',
  'ReEncrypt',
  'Sign',
  'Verify',
  'DeriveSharedSecret',
]);

/** Exporting the public key lets it be used outside KMS, where CloudTrail never sees it. */
export const PUBLIC_KEY_EXPORT = 'GetPublicKey';

/** Operations recorded as usage (per-operation last use, daily counts, callers). */
export const USAGE_OPERATIONS: ReadonlySet<string> = new Set([...CRYPTOGRAPHIC_OPERATIONS, PUBLIC_KEY_EXPORT]);

/**
 * Calls a workload makes that fail when its key is pending deletion: the cryptographic operations, and CreateGrant,
 * which EC2 calls (invokedBy ec2-frontend-api) before any Decrypt when it starts an instance or attaches a volume.
 */
export const WORKLOAD_OPERATIONS: ReadonlySet<string> = new Set([...CRYPTOGRAPHIC_OPERATIONS, 'CreateGrant']);

/**
 * Read-only calls (CloudTrail readOnly: true). A trail or rule that drops read-only events still delivers
 * ScheduleKeyDeletion, so only these prove that usage events reach the guard; the guard's own DescribeKey
 * and ListGrants calls are among them, a heartbeat that costs nothing.
 */
export const READ_ONLY_OPERATIONS: ReadonlySet<string> = new Set([
  ...USAGE_OPERATIONS,
  'DescribeKey',
  'DescribeCustomKeyStores',
  'GenerateRandom',
  'GetKeyLastUsage',
  'GetKeyPolicy',
  'GetKeyRotationStatus',
  'GetParametersForImport',
  'ListAliases',
  'ListGrants',
  'ListKeyPolicies',
  'ListKeyRotations',
  'ListKeys',
  'ListResourceTags',
  'ListRetirableGrants',
]);

/** Events that change what the guard knows about a key (state, metadata, tags, aliases, policy). */
export const LIFECYCLE_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateKey',
  'EnableKey',
  'DisableKey',
  'ScheduleKeyDeletion',
  'CancelKeyDeletion',
  'TagResource',
  'UntagResource',
  'CreateAlias',
  'UpdateAlias',
  'DeleteAlias',
  'ReplicateKey',
  'PutKeyPolicy',
  'ImportKeyMaterial',
  'DeleteImportedKeyMaterial',
  'UpdatePrimaryRegion',
  'EnableKeyRotation',
  'DisableKeyRotation',
  // KMS's own CloudTrail records (eventType AwsServiceEvent): the key deleted at the end of its waiting period,
  // automatic and on-demand rotation, imported key material that expired.
  'DeleteKey',
  'RotateKey',
  'RotateKeyOnDemand',
  'DeleteExpiredKeyMaterial',
  // KMS service events delivered by EventBridge (detail-type as eventName).
  'KMS CMK Deletion',
  'KMS CMK Rotation',
  'KMS Imported Key Material Expiration',
]);

export const GRANT_OPERATIONS: ReadonlySet<string> = new Set(['CreateGrant', 'RetireGrant', 'RevokeGrant']);

export const CUSTOM_KEY_STORE_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateCustomKeyStore',
  'ConnectCustomKeyStore',
  'DisconnectCustomKeyStore',
  'UpdateCustomKeyStore',
  'DeleteCustomKeyStore',
]);

/** The message suffix KMS uses when a key is scheduled for deletion (KMSInvalidStateException, DisabledException). */
export const PENDING_DELETION_SUFFIX = 'is pending deletion.';
/** The same for a multi-Region primary waiting for its replicas to be deleted (PendingReplicaDeletion). */
export const PENDING_REPLICA_DELETION_SUFFIX = 'is pending replica deletion.';
export const PENDING_DELETION_SUFFIXES: readonly string[] = [PENDING_DELETION_SUFFIX, PENDING_REPLICA_DELETION_SUFFIX];
export const PENDING_DELETION_ERROR_CODES: ReadonlySet<string> = new Set(['KMSInvalidStateException', 'DisabledException']);

/** KMS's answer to a call on a key scheduled for deletion (either waiting state). */
export const isPendingDeletionError = (error: { readonly code: string; readonly message: string }): boolean => {
  const message = error.message.trimEnd();
  return PENDING_DELETION_ERROR_CODES.has(error.code) && PENDING_DELETION_SUFFIXES.some((suffix) => message.endsWith(suffix));
};
