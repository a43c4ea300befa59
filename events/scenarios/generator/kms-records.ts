/**
 * KMS calls as CloudTrail logs them (shapes copied from test/fixtures/cloudtrail): what requestParameters
 * and responseElements hold for each operation, and the quirks (no keyId on a symmetric Decrypt, the typed keyId
 * of ScheduleKeyDeletion, the locale deletionDate, RetireGrant without requestParameters).
 */
import { apiCall, type CloudTrailRecord, type ResourceRef } from './cloudtrail-record.js';
import type { Actor } from './identities.js';
import { aliasOf, grantIdOf, hex64For, keyArnOf, type ScenarioKey } from './ids.js';
import { localeDate, plusDays } from './time.js';

const KMS = 'kms.amazonaws.com';

export const keyResource = (key: ScenarioKey, region = key.region): ResourceRef => ({
  accountId: key.account,
  type: 'AWS::KMS::Key',
  ARN: keyArnOf(key, region),
});

interface KeyCall {
  readonly key: ScenarioKey;
  readonly step: string;
  readonly at: string;
  readonly actor: Actor;
}

const kmsCall = (
  { key, step, at, actor }: KeyCall,
  eventName: string,
  fields: {
    requestParameters: Record<string, unknown> | null;
    responseElements?: Record<string, unknown> | null;
    additionalEventData?: Record<string, unknown>;
    resources?: readonly ResourceRef[];
    readOnly?: boolean;
    error?: { code: string; message: string };
  },
): CloudTrailRecord =>
  apiCall({
    label: `${key.name}/${step}`,
    at,
    actor,
    account: key.account,
    region: key.region,
    eventSource: KMS,
    eventName,
    requestParameters: fields.requestParameters,
    responseElements: fields.responseElements ?? null,
    ...(fields.additionalEventData === undefined ? {} : { additionalEventData: fields.additionalEventData }),
    resources: fields.resources ?? [keyResource(key)],
    readOnly: fields.readOnly ?? false,
    ...(fields.error === undefined ? {} : { error: fields.error }),
  });

const keyMaterial = (key: ScenarioKey) => ({ keyMaterialId: hex64For(`key-material/${key.name}`) });

// ---- Key policies: JSON strings, as CloudTrail logs them ----

export const rootStatement = (account: string) => ({
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${account}:root` },
  Action: 'kms:*',
  Resource: '*',
});

/** Terraform's jsonencode writes compact JSON; the console pretty-prints. */
export const compactPolicy = (statements: readonly object[]): string =>
  JSON.stringify({ Version: '2012-10-17', Id: 'key-default-1', Statement: statements });
export const consolePolicy = (id: string, statements: readonly object[]): string =>
  JSON.stringify({ Version: '2012-10-17', Id: id, Statement: statements }, null, 2);

// ---- Key lifecycle ----

export interface KeySpecOptions {
  readonly keySpec?: string;
  readonly keyUsage?: string;
  readonly origin?: string;
  readonly multiRegion?: boolean;
  readonly tags?: Readonly<Record<string, string>>;
  readonly description?: string;
  readonly customKeyStoreId?: string;
  readonly cloudHsmClusterId?: string;
}

const algorithms = (keySpec: string, keyUsage: string): Record<string, unknown> => {
  if (keyUsage === 'SIGN_VERIFY') return { signingAlgorithms: keySpec.startsWith('ECC') ? ['ECDSA_SHA_256'] : ['RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_256'] };
  if (keySpec.startsWith('RSA')) return { encryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] };
  return { encryptionAlgorithms: ['SYMMETRIC_DEFAULT'] };
};

export const createKey = (call: Omit<KeyCall, 'step'>, options: KeySpecOptions = {}): CloudTrailRecord => {
  const { key, at } = call;
  const keySpec = options.keySpec ?? 'SYMMETRIC_DEFAULT';
  const keyUsage = options.keyUsage ?? 'ENCRYPT_DECRYPT';
  const origin = options.origin ?? 'AWS_KMS';
  const multiRegion = options.multiRegion ?? false;
  const tags = Object.entries(options.tags ?? {}).map(([tagKey, tagValue]) => ({ tagKey, tagValue }));
  const description = options.description ?? `${key.name} scenario key`;
  const arn = keyArnOf(key);
  return kmsCall({ ...call, step: 'create-key' }, 'CreateKey', {
    requestParameters: {
      policy: compactPolicy([rootStatement(key.account)]),
      description,
      keyUsage,
      keySpec,
      customerMasterKeySpec: keySpec,
      origin,
      bypassPolicyLockoutSafetyCheck: false,
      tags,
      multiRegion,
      ...(options.customKeyStoreId === undefined ? {} : { customKeyStoreId: options.customKeyStoreId }),
    },
    responseElements: {
      keyMetadata: {
        aWSAccountId: key.account,
        keyId: key.keyId,
        arn,
        creationDate: localeDate(at),
        enabled: true,
        description,
        keyUsage,
        keyState: 'Enabled',
        origin,
        ...(options.customKeyStoreId === undefined ? {} : { customKeyStoreId: options.customKeyStoreId }),
        ...(options.cloudHsmClusterId === undefined ? {} : { cloudHsmClusterId: options.cloudHsmClusterId }),
        keyManager: 'CUSTOMER',
        customerMasterKeySpec: keySpec,
        keySpec,
        ...algorithms(keySpec, keyUsage),
        multiRegion,
        ...(multiRegion
          ? { multiRegionConfiguration: { multiRegionKeyType: 'PRIMARY', primaryKey: { arn, region: key.region }, replicaKeys: [] } }
          : {}),
      },
    },
    ...(origin === 'AWS_CLOUDHSM'
      ? { additionalEventData: { backingKey: JSON.stringify({ keyHandle: '19', backingKeyId: hex64For(`backing/${key.name}`).slice(0, 40) }) } }
      : {}),
  });
};

export const createAlias = (call: Omit<KeyCall, 'step'>): CloudTrailRecord =>
  kmsCall({ ...call, step: 'create-alias' }, 'CreateAlias', {
    requestParameters: { aliasName: aliasOf(call.key), targetKeyId: call.key.keyId },
    resources: [
      { accountId: call.key.account, type: 'AWS::KMS::Alias', ARN: `arn:aws:kms:${call.key.region}:${call.key.account}:${aliasOf(call.key)}` },
      keyResource(call.key),
    ],
  });

export const tagResource = (call: KeyCall, tags: Readonly<Record<string, string>>): CloudTrailRecord =>
  kmsCall(call, 'TagResource', {
    requestParameters: { keyId: call.key.keyId, tags: Object.entries(tags).map(([tagKey, tagValue]) => ({ tagKey, tagValue })) },
  });

export const disableKey = (call: KeyCall): CloudTrailRecord =>
  kmsCall(call, 'DisableKey', { requestParameters: { keyId: call.key.keyId }, responseElements: { keyId: keyArnOf(call.key) } });

export interface ScheduleOptions {
  /** What the caller typed: the bare key id or the key ARN (ScheduleKeyDeletion accepts no alias). */
  readonly keyIdTyped: 'id' | 'arn';
  readonly pendingWindowInDays: number;
  /** A multi-Region primary with replicas answers PendingReplicaDeletion and no deletionDate. */
  readonly replicasPending?: boolean;
  readonly additionalEventData?: Record<string, unknown>;
}

export const scheduleKeyDeletion = (call: KeyCall, options: ScheduleOptions): CloudTrailRecord => {
  const arn = keyArnOf(call.key);
  return kmsCall(call, 'ScheduleKeyDeletion', {
    requestParameters: { keyId: options.keyIdTyped === 'id' ? call.key.keyId : arn, pendingWindowInDays: options.pendingWindowInDays },
    responseElements: options.replicasPending === true
      ? { keyId: arn, keyState: 'PendingReplicaDeletion', pendingWindowInDays: options.pendingWindowInDays }
      : {
          keyId: arn,
          deletionDate: localeDate(plusDays(call.at, options.pendingWindowInDays)),
          keyState: 'PendingDeletion',
          pendingWindowInDays: options.pendingWindowInDays,
        },
    ...(options.additionalEventData === undefined ? {} : { additionalEventData: options.additionalEventData }),
  });
};

export const putKeyPolicy = (call: KeyCall, policy: string, bypassPolicyLockoutSafetyCheck: boolean): CloudTrailRecord =>
  kmsCall(call, 'PutKeyPolicy', {
    requestParameters: { keyId: call.key.keyId, policyName: 'default', policy, bypassPolicyLockoutSafetyCheck },
    responseElements: { keyId: keyArnOf(call.key) },
  });

export const replicateKey = (call: KeyCall, replicaRegion: string): CloudTrailRecord => {
  const replicaArn = keyArnOf(call.key, replicaRegion);
  const primaryArn = keyArnOf(call.key);
  return kmsCall(call, 'ReplicateKey', {
    requestParameters: { keyId: call.key.keyId, replicaRegion, bypassPolicyLockoutSafetyCheck: false, description: '' },
    responseElements: {
      replicaKeyMetadata: {
        aWSAccountId: call.key.account,
        keyId: call.key.keyId,
        arn: replicaArn,
        creationDate: localeDate(call.at),
        enabled: false,
        description: '',
        keyUsage: 'ENCRYPT_DECRYPT',
        keyState: 'Creating',
        origin: 'AWS_KMS',
        keyManager: 'CUSTOMER',
        keySpec: 'SYMMETRIC_DEFAULT',
        customerMasterKeySpec: 'SYMMETRIC_DEFAULT',
        encryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
        multiRegion: true,
        multiRegionConfiguration: {
          multiRegionKeyType: 'REPLICA',
          primaryKey: { arn: primaryArn, region: call.key.region },
          replicaKeys: [{ arn: replicaArn, region: replicaRegion }],
        },
      },
      replicaPolicy: compactPolicy([rootStatement(call.key.account)]),
    },
    resources: [keyResource(call.key), keyResource(call.key, replicaRegion)],
  });
};

// ---- Use ----

export interface UseOptions {
  readonly encryptionContext?: Readonly<Record<string, string>>;
  /** Symmetric Decrypt names no key (the ciphertext does); other operations name it as typed. */
  readonly keyIdTyped?: string;
  readonly failure?: 'pending-deletion' | 'disabled';
  readonly additionalEventData?: Record<string, unknown>;
}

const failureOf = (key: ScenarioKey, failure: UseOptions['failure']) => {
  if (failure === undefined) return undefined;
  const arn = keyArnOf(key);
  return failure === 'pending-deletion'
    ? { code: 'KMSInvalidStateException', message: `${arn} is pending deletion.` }
    : { code: 'DisabledException', message: `${arn} is disabled.` };
};

const useCall = (call: KeyCall, eventName: string, request: Record<string, unknown>, options: UseOptions): CloudTrailRecord => {
  const error = failureOf(call.key, options.failure);
  return kmsCall(call, eventName, {
    requestParameters: {
      ...(options.keyIdTyped === undefined ? {} : { keyId: options.keyIdTyped }),
      ...request,
      ...(options.encryptionContext === undefined ? {} : { encryptionContext: options.encryptionContext }),
    },
    readOnly: true,
    ...(error === undefined ? { additionalEventData: { ...keyMaterial(call.key), ...options.additionalEventData } } : {}),
    ...(error === undefined ? {} : { error }),
  });
};

export const decrypt = (call: KeyCall, options: UseOptions = {}): CloudTrailRecord =>
  useCall(call, 'Decrypt', { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' }, options);

export const generateDataKey = (call: KeyCall, options: UseOptions = {}): CloudTrailRecord =>
  useCall(call, 'GenerateDataKey', { keySpec: 'AES_256' }, { keyIdTyped: keyArnOf(call.key), ...options });

export const generateDataKeyWithoutPlaintext = (call: KeyCall, options: UseOptions = {}): CloudTrailRecord =>
  useCall(call, 'GenerateDataKeyWithoutPlaintext', { numberOfBytes: 64 }, { keyIdTyped: keyArnOf(call.key), ...options });

export const getPublicKey = (call: KeyCall, keyIdTyped: string): CloudTrailRecord =>
  kmsCall(call, 'GetPublicKey', { requestParameters: { keyId: keyIdTyped }, readOnly: true });

// ---- Grants ----

export interface GrantOptions {
  readonly granteePrincipal: string;
  readonly retiringPrincipal?: string;
  readonly operations: readonly string[];
  readonly constraints?: Record<string, unknown>;
  readonly name?: string;
}

export const createGrant = (call: Omit<KeyCall, 'step'>, grant: string, options: GrantOptions): CloudTrailRecord =>
  kmsCall({ ...call, step: `grant/${grant}/create` }, 'CreateGrant', {
    requestParameters: {
      ...(options.constraints === undefined ? {} : { constraints: options.constraints }),
      ...(options.retiringPrincipal === undefined ? {} : { retiringPrincipal: options.retiringPrincipal }),
      operations: options.operations,
      keyId: keyArnOf(call.key),
      granteePrincipal: options.granteePrincipal,
      ...(options.name === undefined ? {} : { name: options.name }),
    },
    responseElements: { grantId: grantIdOf(call.key, grant), keyId: keyArnOf(call.key) },
  });

/** RetireGrant as the grantee or retiring principal calls it: requestParameters null, the grant id in additionalEventData. */
export const retireGrant = (call: Omit<KeyCall, 'step'>, grant: string): CloudTrailRecord =>
  kmsCall({ ...call, step: `grant/${grant}/retire` }, 'RetireGrant', {
    requestParameters: null,
    additionalEventData: { grantId: grantIdOf(call.key, grant) },
  });

export const revokeGrant = (call: Omit<KeyCall, 'step'>, grant: string): CloudTrailRecord =>
  kmsCall({ ...call, step: `grant/${grant}/revoke` }, 'RevokeGrant', {
    requestParameters: { keyId: call.key.keyId, grantId: grantIdOf(call.key, grant) },
  });
