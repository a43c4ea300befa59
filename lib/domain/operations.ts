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
export const PENDING_DELETION_ERROR_CODES: ReadonlySet<string> = new Set(['KMSInvalidStateException', 'DisabledException']);
