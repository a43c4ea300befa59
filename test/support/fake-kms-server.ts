/**
 * A local HTTP endpoint that answers like AWS KMS (awsJson1_1: POST /, X-Amz-Target TrentService.<Operation>),
 * so tests exercise the real SDK's serialisation, error mapping and retries. It keeps the documented key-state
 * machine (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html) and the error messages KMS
 * uses ("<key ARN> is pending deletion.", "<key ARN> is pending replica deletion.", "<key ARN> is not pending
 * deletion.", "<key ARN> is disabled.").
 * Binds 127.0.0.1 on an ephemeral port. Faults (throttling, 5xx, delays) are injected per operation.
 * With `accountOf`, each request belongs to the account whose credentials signed it: ListKeys and ListAliases list
 * that account's keys, and with `quotas` its requests are metered per account, Region and operation and throttled
 * past the quota (test/support/fake-kms-quotas.ts), as KMS throttles the calling account.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { QuotaMeter, type OperationRate } from './fake-kms-quotas.js';

export const FAKE_ACCOUNT_ID = '111122223333';
export const FAKE_REGION = 'us-east-1';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const THROTTLING_MESSAGE = 'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.';

export type FakeKeyState =
  | 'Enabled'
  | 'Disabled'
  | 'PendingDeletion'
  | 'PendingReplicaDeletion'
  | 'PendingImport'
  | 'Unavailable';

export interface FakeKeyOptions {
  readonly keyId?: string;
  readonly accountId?: string;
  readonly region?: string;
  readonly state?: FakeKeyState;
  readonly description?: string;
  readonly keySpec?: string;
  readonly keyUsage?: string;
  readonly origin?: string;
  readonly keyManager?: 'CUSTOMER' | 'AWS';
  readonly customKeyStoreId?: string;
  readonly multiRegion?: boolean;
  readonly multiRegionKeyType?: 'PRIMARY' | 'REPLICA';
  /** Replicas of a multi-Region primary: ScheduleKeyDeletion then moves it to PendingReplicaDeletion. */
  readonly replicaCount?: number;
  readonly creationDate?: Date | string;
  readonly deletionDate?: Date | string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Alias names, with or without the `alias/` prefix. */
  readonly aliases?: readonly string[];
}

export interface FakeGrantOptions {
  readonly grantId?: string;
  readonly name?: string;
  readonly granteePrincipal: string;
  readonly retiringPrincipal?: string;
  /** Set by KMS when the grantee (or retiring principal) is an AWS service. */
  readonly granteeServicePrincipal?: string;
  readonly retiringServicePrincipal?: string;
  readonly operations: readonly string[];
  readonly constraints?: {
    readonly EncryptionContextSubset?: Readonly<Record<string, string>>;
    readonly EncryptionContextEquals?: Readonly<Record<string, string>>;
  };
  readonly creationDate?: Date | string;
  readonly issuingAccount?: string;
}

export interface FakeLastUsage {
  readonly operation: string;
  readonly timestamp: Date | string;
  readonly cloudTrailEventId?: string;
}

/** A fault answered instead of the real response. `delayMs` delays, then answers normally if the client still waits. */
export type FakeKmsFault =
  | { readonly status: 400; readonly type: string; readonly message?: string }
  | { readonly status: 500 | 502 | 503 | 504; readonly type?: string; readonly message?: string }
  | { readonly delayMs: number };

export interface FakeKmsCall {
  readonly operation: string;
  readonly body: Record<string, unknown>;
  /** From the SigV4 Authorization header: which credentials (e.g. an assumed role's) signed the call. */
  readonly accessKeyId?: string;
  readonly region?: string;
  /** The calling account (from `accountOf`); absent without it. */
  readonly accountId?: string;
}

export interface FakeKmsOptions {
  /** The fake's clock (deletion dates, grant and key creation dates). */
  readonly now?: () => Date;
  /** The account an access key id belongs to (an assumed role's keys name their account); default: unknown. */
  readonly accountOf?: (accessKeyId: string) => string | undefined;
  /** Requests per second per operation and calling account and Region; past it, ThrottlingException. Default none. */
  readonly quotas?: Readonly<Record<string, number>>;
  /** The clock quotas are measured on. Default Date.now. */
  readonly quotaClockMs?: () => number;
  /** Keep every request in `calls` (default true); large runs keep only the rates. */
  readonly recordCalls?: boolean;
  /** Sees every request as it arrives (large runs count what they need here instead of keeping `calls`). */
  readonly onCall?: (call: FakeKmsCall) => void;
}

export interface FakeKms {
  readonly endpoint: string;
  /** Every request received, in order, including retried ones and those answered with a fault. */
  readonly calls: FakeKmsCall[];
  createKey(options?: FakeKeyOptions): string;
  /** The key's current KeyState; throws when the key does not exist. */
  state(keyIdOrArn: string): FakeKeyState;
  setState(keyIdOrArn: string, state: FakeKeyState): void;
  addGrant(keyIdOrArn: string, grant: FakeGrantOptions): string;
  /** Grant ids currently on the key (revoked and retired grants are gone). */
  grantIds(keyIdOrArn: string): string[];
  /** `null` clears it (the key has not been used since tracking began). */
  setLastUsage(keyIdOrArn: string, usage: FakeLastUsage | null, trackingStartDate?: Date | string): void;
  /** The next `times` requests for `operation` ('*' for any) get `fault`; Infinity for a persistent fault. */
  failNext(operation: string, times: number, fault: FakeKmsFault): void;
  /** Drops every fault still queued. */
  clearFaults(): void;
  callsOf(operation: string): FakeKmsCall[];
  /** Requests served and throttled per calling account, Region and operation (with `quotas`, or all when metered). */
  rates(): OperationRate[];
  close(): Promise<void>;
}

interface GrantEntry {
  readonly grantId: string;
  readonly grantToken: string;
  readonly options: FakeGrantOptions;
  readonly creationDate: Date;
}

interface KeyEntry {
  readonly keyId: string;
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  state: FakeKeyState;
  readonly options: FakeKeyOptions;
  readonly creationDate: Date;
  deletionDate?: Date;
  pendingWindowInDays?: number;
  readonly tags: Map<string, string>;
  readonly grants: GrantEntry[];
  lastUsage: FakeLastUsage | null;
  trackingStartDate: Date;
}

interface AliasEntry {
  readonly name: string;
  readonly key: KeyEntry;
  readonly creationDate: Date;
}

/** A KMS error response: HTTP status, `__type` and message, as the service sends them. */
class KmsFault {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly message?: string,
  ) {}
}

const invalidState = (message: string): KmsFault => new KmsFault(400, 'KMSInvalidStateException', message);
const validation = (field: string): KmsFault =>
  new KmsFault(400, 'ValidationException', `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;
const KMS_ALIAS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MRK_ID = /^mrk-[0-9a-f]{32}$/i;
const GRANT_ID = /^[0-9a-f]{64}$/i;

const signer = (request: IncomingMessage): { accessKeyId?: string; region?: string } => {
  const credential = /Credential=([^/]+)\/\d{8}\/([^/]+)\/kms\//.exec(request.headers.authorization ?? '');
  return credential === null ? {} : { accessKeyId: credential[1], region: credential[2] };
};
const epochSeconds = (date: Date): number => date.getTime() / 1000;
const toDate = (value: Date | string | undefined, fallback: Date): Date => (value === undefined ? fallback : new Date(value));
const stringField = (body: Record<string, unknown>, field: string): string | undefined =>
  typeof body[field] === 'string' ? body[field] : undefined;

/** Opaque pagination: the marker is the base64 of the next index. */
const paginate = <T>(items: readonly T[], body: Record<string, unknown>, defaultLimit: number) => {
  const limit = typeof body.Limit === 'number' ? body.Limit : defaultLimit;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new KmsFault(400, 'ValidationException', `1 validation error detected: Value '${String(limit)}' at 'limit' failed to satisfy constraint`);
  }
  const marker = stringField(body, 'Marker');
  const start = marker === undefined ? 0 : Number(Buffer.from(marker, 'base64').toString('utf8'));
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw new KmsFault(400, 'InvalidMarkerException', 'Invalid marker');
  const end = start + limit;
  const truncated = end < items.length;
  return {
    page: items.slice(start, end),
    paging: truncated ? { Truncated: true, NextMarker: Buffer.from(String(end)).toString('base64') } : { Truncated: false },
  };
};

/** Starts the fake KMS. `now` is the fake's clock (deletion dates, grant and key creation dates). */
export const startFakeKms = async (options: FakeKmsOptions = {}): Promise<FakeKms> => {
  const now = options.now ?? ((): Date => new Date());
  const meter = new QuotaMeter({ quotas: options.quotas ?? {}, ...(options.quotaClockMs === undefined ? {} : { nowMs: options.quotaClockMs }) });
  const callerAccount = (request: IncomingMessage): string | undefined => {
    const accessKeyId = signer(request).accessKeyId;
    return accessKeyId === undefined ? undefined : options.accountOf?.(accessKeyId);
  };
  /** With accountOf, a listing shows the calling account's keys only, as KMS does. */
  const ownedByCaller = (request: IncomingMessage) => {
    if (options.accountOf === undefined) return () => true;
    const account = callerAccount(request);
    return (key: KeyEntry) => key.accountId === account;
  };
  const keys = new Map<string, KeyEntry>();
  const aliases = new Map<string, AliasEntry>();
  const faults = new Map<string, { remaining: number; fault: FakeKmsFault }[]>();
  const calls: FakeKmsCall[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const keyById = (keyIdOrArn: string): KeyEntry => {
    const match = KMS_KEY_ARN.exec(keyIdOrArn);
    const key = keys.get(match?.[3] ?? keyIdOrArn);
    if (key === undefined || (match !== null && key.arn !== keyIdOrArn)) {
      throw new KmsFault(400, 'NotFoundException', `Key '${keyIdOrArn}' does not exist`);
    }
    return key;
  };

  /** Resolves KeyId as KMS does: key id, key ARN, alias name or alias ARN. */
  const resolveKey = (body: Record<string, unknown>, field = 'KeyId', allowAlias = true): KeyEntry => {
    const keyId = stringField(body, field);
    if (keyId === undefined) throw validation(field.charAt(0).toLowerCase() + field.slice(1));
    if (keyId.startsWith('arn:')) {
      const aliasArn = KMS_ALIAS_ARN.exec(keyId);
      if (aliasArn !== null && allowAlias) return resolveAlias(aliasArn[3] ?? '', keyId);
      if (!KMS_KEY_ARN.test(keyId)) throw new KmsFault(400, 'InvalidArnException', `Invalid arn ${keyId}`);
      return keyById(keyId);
    }
    if (keyId.startsWith('alias/') && allowAlias) return resolveAlias(keyId, keyId);
    if (!UUID.test(keyId) && !MRK_ID.test(keyId) && !keys.has(keyId)) throw new KmsFault(400, 'NotFoundException', `Invalid keyId ${keyId}`);
    return keyById(keyId);
  };

  const resolveAlias = (aliasName: string, asGiven: string): KeyEntry => {
    const alias = aliases.get(aliasName);
    if (alias === undefined) throw new KmsFault(400, 'NotFoundException', `Alias ${asGiven} is not found.`);
    return alias.key;
  };

  const addAlias = (key: KeyEntry, name: string): void => {
    const aliasName = name.startsWith('alias/') ? name : `alias/${name}`;
    if (aliases.has(aliasName)) throw new KmsFault(400, 'AlreadyExistsException', `An alias with the name ${key.arn.replace(/key\/.*/, aliasName)} already exists`);
    aliases.set(aliasName, { name: aliasName, key, creationDate: now() });
  };

  /** Operations that need a key that is not pending deletion (or import) to manage it. */
  const requireManageable = (key: KeyEntry): void => {
    if (key.state === 'PendingDeletion') throw invalidState(`${key.arn} is pending deletion.`);
    if (key.state === 'PendingReplicaDeletion') throw invalidState(`${key.arn} is pending replica deletion.`);
  };

  /** Cryptographic operations: only Enabled keys. */
  const requireUsable = (key: KeyEntry): void => {
    switch (key.state) {
      case 'Enabled':
        return;
      case 'Disabled':
        throw new KmsFault(400, 'DisabledException', `${key.arn} is disabled.`);
      case 'PendingImport':
        throw invalidState(`${key.arn} is pending import.`);
      case 'Unavailable':
        throw invalidState(`${key.arn} is unavailable.`);
      case 'PendingReplicaDeletion':
        throw invalidState(`${key.arn} is pending replica deletion.`);
      default:
        throw invalidState(`${key.arn} is pending deletion.`);
    }
  };

  const createKey = (opts: FakeKeyOptions = {}): string => {
    const keyId = opts.keyId ?? (opts.multiRegion === true ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID());
    const accountId = opts.accountId ?? FAKE_ACCOUNT_ID;
    const region = opts.region ?? FAKE_REGION;
    const creationDate = toDate(opts.creationDate, now());
    const state = opts.state ?? (opts.origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled');
    const key: KeyEntry = {
      keyId,
      arn: `arn:aws:kms:${region}:${accountId}:key/${keyId}`,
      accountId,
      region,
      state,
      options: opts,
      creationDate,
      deletionDate: opts.deletionDate === undefined ? undefined : new Date(opts.deletionDate),
      tags: new Map(Object.entries(opts.tags ?? {})),
      grants: [],
      lastUsage: null,
      trackingStartDate: creationDate,
    };
    keys.set(keyId, key);
    for (const alias of opts.aliases ?? []) addAlias(key, alias);
    return key.arn;
  };

  const keyMetadata = (key: KeyEntry): Record<string, unknown> => {
    const o = key.options;
    const keySpec = o.keySpec ?? 'SYMMETRIC_DEFAULT';
    return {
      AWSAccountId: key.accountId,
      KeyId: key.keyId,
      Arn: key.arn,
      CreationDate: epochSeconds(key.creationDate),
      Enabled: key.state === 'Enabled',
      Description: o.description ?? '',
      KeyUsage: o.keyUsage ?? 'ENCRYPT_DECRYPT',
      KeyState: key.state,
      ...(key.deletionDate && key.state === 'PendingDeletion' ? { DeletionDate: epochSeconds(key.deletionDate) } : {}),
      ...(key.state === 'PendingReplicaDeletion' ? { PendingDeletionWindowInDays: key.pendingWindowInDays ?? 30 } : {}),
      Origin: o.origin ?? 'AWS_KMS',
      KeyManager: o.keyManager ?? 'CUSTOMER',
      KeySpec: keySpec,
      CustomerMasterKeySpec: keySpec,
      ...(keySpec === 'SYMMETRIC_DEFAULT' ? { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] } : {}),
      MultiRegion: o.multiRegion ?? false,
      ...(o.multiRegion === true
        ? {
            MultiRegionConfiguration: {
              MultiRegionKeyType: o.multiRegionKeyType ?? 'PRIMARY',
              PrimaryKey: { Arn: key.arn, Region: key.region },
              ReplicaKeys: [],
            },
          }
        : {}),
      ...(o.customKeyStoreId === undefined ? {} : { CustomKeyStoreId: o.customKeyStoreId }),
    };
  };

  const grantEntry = (key: KeyEntry, grant: GrantEntry): Record<string, unknown> => ({
    KeyId: key.arn,
    GrantId: grant.grantId,
    ...(grant.options.name === undefined ? {} : { Name: grant.options.name }),
    CreationDate: epochSeconds(grant.creationDate),
    GranteePrincipal: grant.options.granteePrincipal,
    ...(grant.options.retiringPrincipal === undefined ? {} : { RetiringPrincipal: grant.options.retiringPrincipal }),
    ...(grant.options.granteeServicePrincipal === undefined ? {} : { GranteeServicePrincipal: grant.options.granteeServicePrincipal }),
    ...(grant.options.retiringServicePrincipal === undefined ? {} : { RetiringServicePrincipal: grant.options.retiringServicePrincipal }),
    IssuingAccount: grant.options.issuingAccount ?? `arn:aws:iam::${key.accountId}:root`,
    Operations: [...grant.options.operations],
    ...(grant.options.constraints === undefined ? {} : { Constraints: grant.options.constraints }),
  });

  const addGrant = (key: KeyEntry, opts: FakeGrantOptions): GrantEntry => {
    const grant: GrantEntry = {
      grantId: opts.grantId ?? randomBytes(32).toString('hex'),
      grantToken: randomBytes(48).toString('base64url'),
      options: opts,
      creationDate: toDate(opts.creationDate, now()),
    };
    key.grants.push(grant);
    return grant;
  };

  const removeGrant = (key: KeyEntry, grantId: string | undefined): void => {
    if (grantId === undefined) throw validation('grantId');
    const index = key.grants.findIndex((grant) => grant.grantId === grantId);
    if (index >= 0) {
      key.grants.splice(index, 1);
      return;
    }
    if (!GRANT_ID.test(grantId)) throw new KmsFault(400, 'InvalidGrantIdException', `Invalid grant ID ${grantId}`);
    throw new KmsFault(400, 'NotFoundException', `Grant ID ${grantId} not found`);
  };

  /** Region of the caller, from the SigV4 credential scope (ListKeys lists one Region's keys, as KMS does). */
  const signingRegion = (request: IncomingMessage): string => signer(request).region ?? FAKE_REGION;

  const operations: Record<string, (body: Record<string, unknown>, request: IncomingMessage) => Record<string, unknown>> = {
    CreateKey: (body) => {
      const tags = Array.isArray(body.Tags) ? (body.Tags as { TagKey: string; TagValue: string }[]) : [];
      const arn = createKey({
        description: stringField(body, 'Description'),
        keySpec: stringField(body, 'KeySpec'),
        keyUsage: stringField(body, 'KeyUsage'),
        origin: stringField(body, 'Origin'),
        multiRegion: body.MultiRegion === true,
        customKeyStoreId: stringField(body, 'CustomKeyStoreId'),
        tags: Object.fromEntries(tags.map((tag) => [tag.TagKey, tag.TagValue])),
      });
      return { KeyMetadata: keyMetadata(keyById(arn)) };
    },
    DescribeKey: (body) => ({ KeyMetadata: keyMetadata(resolveKey(body)) }),
    EnableKey: (body) => {
      const key = resolveKey(body, 'KeyId', false);
      requireManageable(key);
      if (key.state === 'PendingImport') throw invalidState(`${key.arn} is pending import.`);
      if (key.state === 'Unavailable') throw invalidState(`${key.arn} is unavailable.`);
      key.state = 'Enabled';
      return {};
    },
    DisableKey: (body) => {
      const key = resolveKey(body, 'KeyId', false);
      requireManageable(key);
      if (key.state === 'PendingImport') throw invalidState(`${key.arn} is pending import.`);
      if (key.state === 'Unavailable') throw invalidState(`${key.arn} is unavailable.`);
      key.state = 'Disabled';
      return {};
    },
    ScheduleKeyDeletion: (body) => {
      const key = resolveKey(body, 'KeyId', false);
      requireManageable(key);
      const days = typeof body.PendingWindowInDays === 'number' ? body.PendingWindowInDays : 30;
      if (!Number.isInteger(days) || days < 7 || days > 30) {
        throw new KmsFault(400, 'ValidationException', `1 validation error detected: Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30`);
      }
      key.pendingWindowInDays = days;
      if (key.options.multiRegionKeyType !== 'REPLICA' && (key.options.replicaCount ?? 0) > 0) {
        // The primary waits for its replicas to be deleted; its own waiting period starts afterwards.
        key.state = 'PendingReplicaDeletion';
        key.deletionDate = undefined;
        return { KeyId: key.arn, KeyState: key.state, PendingWindowInDays: days };
      }
      key.state = 'PendingDeletion';
      key.deletionDate = new Date(now().getTime() + days * 86_400_000);
      return { KeyId: key.arn, DeletionDate: epochSeconds(key.deletionDate), KeyState: key.state, PendingWindowInDays: days };
    },
    CancelKeyDeletion: (body) => {
      const key = resolveKey(body, 'KeyId', false);
      if (key.state !== 'PendingDeletion' && key.state !== 'PendingReplicaDeletion') throw invalidState(`${key.arn} is not pending deletion.`);
      // KMS leaves a cancelled key Disabled, whatever its state before.
      key.state = 'Disabled';
      key.deletionDate = undefined;
      key.pendingWindowInDays = undefined;
      return { KeyId: key.arn };
    },
    ListKeys: (body, request) => {
      const region = signingRegion(request);
      const owned = ownedByCaller(request);
      const inRegion = [...keys.values()].filter((key) => key.region === region && owned(key));
      const { page, paging } = paginate(inRegion, body, 100);
      return { Keys: page.map((key) => ({ KeyId: key.keyId, KeyArn: key.arn })), ...paging };
    },
    ListGrants: (body) => {
      const key = resolveKey(body);
      const grantId = stringField(body, 'GrantId');
      const grantee = stringField(body, 'GranteePrincipal');
      const matching = key.grants.filter(
        (grant) => (grantId === undefined || grant.grantId === grantId) && (grantee === undefined || grant.options.granteePrincipal === grantee),
      );
      const { page, paging } = paginate(matching, body, 50);
      return { Grants: page.map((grant) => grantEntry(key, grant)), ...paging };
    },
    CreateGrant: (body) => {
      const key = resolveKey(body, 'KeyId', false);
      // The key-state table: CreateGrant needs an Enabled key, like the cryptographic operations.
      requireUsable(key);
      const grantee = stringField(body, 'GranteePrincipal');
      if (grantee === undefined) throw validation('granteePrincipal');
      const grant = addGrant(key, {
        granteePrincipal: grantee,
        retiringPrincipal: stringField(body, 'RetiringPrincipal'),
        operations: Array.isArray(body.Operations) ? body.Operations.map(String) : [],
        name: stringField(body, 'Name'),
        constraints: (body.Constraints ?? undefined) as FakeGrantOptions['constraints'],
      });
      return { GrantId: grant.grantId, GrantToken: grant.grantToken };
    },
    RevokeGrant: (body) => {
      removeGrant(resolveKey(body, 'KeyId', false), stringField(body, 'GrantId'));
      return {};
    },
    RetireGrant: (body) => {
      const token = stringField(body, 'GrantToken');
      if (token !== undefined) {
        const key = [...keys.values()].find((candidate) => candidate.grants.some((grant) => grant.grantToken === token));
        if (key === undefined) throw new KmsFault(400, 'InvalidGrantTokenException', 'Invalid grant token');
        removeGrant(key, key.grants.find((grant) => grant.grantToken === token)?.grantId);
        return {};
      }
      removeGrant(resolveKey(body, 'KeyId', false), stringField(body, 'GrantId'));
      return {};
    },
    ListResourceTags: (body) => {
      const key = resolveKey(body, 'KeyId', false);
      const { page, paging } = paginate([...key.tags], body, 50);
      return { Tags: page.map(([TagKey, TagValue]) => ({ TagKey, TagValue })), ...paging };
    },
    TagResource: (body) => {
      const key = resolveKey(body, 'KeyId', false);
      requireManageable(key);
      for (const tag of Array.isArray(body.Tags) ? (body.Tags as { TagKey: string; TagValue: string }[]) : []) key.tags.set(tag.TagKey, tag.TagValue);
      return {};
    },
    CreateAlias: (body) => {
      const key = resolveKey(body, 'TargetKeyId', false);
      requireManageable(key);
      addAlias(key, stringField(body, 'AliasName') ?? '');
      return {};
    },
    ListAliases: (body, request) => {
      const filter = stringField(body, 'KeyId') === undefined ? undefined : resolveKey(body, 'KeyId', false);
      const owned = ownedByCaller(request);
      const region = signingRegion(request);
      const matching = [...aliases.values()].filter((alias) =>
        filter === undefined ? owned(alias.key) && (options.accountOf === undefined || alias.key.region === region) : alias.key === filter,
      );
      const { page, paging } = paginate(matching, body, 50);
      return {
        Aliases: page.map((alias) => ({
          AliasName: alias.name,
          AliasArn: `arn:aws:kms:${alias.key.region}:${alias.key.accountId}:${alias.name}`,
          TargetKeyId: alias.key.keyId,
          CreationDate: epochSeconds(alias.creationDate),
          LastUpdatedDate: epochSeconds(alias.creationDate),
        })),
        ...paging,
      };
    },
    GetKeyLastUsage: (body) => {
      const key = resolveKey(body, 'KeyId', false);
      const usage = key.lastUsage;
      return {
        KeyId: key.arn,
        ...(usage === null
          ? {}
          : {
              KeyLastUsage: {
                Operation: usage.operation,
                Timestamp: epochSeconds(new Date(usage.timestamp)),
                ...(usage.cloudTrailEventId === undefined ? {} : { CloudTrailEventId: usage.cloudTrailEventId }),
              },
            }),
        TrackingStartDate: epochSeconds(key.trackingStartDate),
        KeyCreationDate: epochSeconds(key.creationDate),
      };
    },
    Encrypt: (body) => {
      const key = resolveKey(body);
      requireUsable(key);
      key.lastUsage = { operation: 'Encrypt', timestamp: now() };
      const plaintext = stringField(body, 'Plaintext') ?? '';
      const blob = Buffer.from(JSON.stringify({ keyId: key.keyId, plaintext })).toString('base64');
      return { CiphertextBlob: blob, KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },
    Decrypt: (body) => {
      let envelope: { keyId?: string; plaintext?: string };
      try {
        envelope = JSON.parse(Buffer.from(stringField(body, 'CiphertextBlob') ?? '', 'base64').toString('utf8')) as typeof envelope;
      } catch {
        throw new KmsFault(400, 'InvalidCiphertextException', '');
      }
      const key = stringField(body, 'KeyId') === undefined ? keyById(envelope.keyId ?? '') : resolveKey(body);
      if (key.keyId !== envelope.keyId) throw new KmsFault(400, 'IncorrectKeyException', 'The key ID in the request does not identify a KMS key that can perform this operation.');
      requireUsable(key);
      key.lastUsage = { operation: 'Decrypt', timestamp: now() };
      return { KeyId: key.arn, Plaintext: envelope.plaintext ?? '', EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },
  };

  const send = (response: ServerResponse, status: number, payload: Record<string, unknown>, errorType?: string): void => {
    if (response.destroyed) return;
    const body = JSON.stringify(payload);
    response.writeHead(status, {
      'content-type': JSON_CONTENT_TYPE,
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': randomUUID(),
      ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
    });
    response.end(body);
  };

  const sendFault = (response: ServerResponse, fault: KmsFault): void =>
    send(response, fault.status, { __type: fault.type, ...(fault.message === undefined ? {} : { message: fault.message }) }, fault.type);

  const takeFault = (operation: string): FakeKmsFault | undefined => {
    for (const name of [operation, '*']) {
      const queue = faults.get(name);
      const head = queue?.[0];
      if (queue === undefined || head === undefined) continue;
      head.remaining -= 1;
      if (head.remaining <= 0) queue.shift();
      return head.fault;
    }
    return undefined;
  };

  const answer = (operation: string, body: Record<string, unknown>, request: IncomingMessage, response: ServerResponse): void => {
    const handler = operations[operation];
    if (handler === undefined) return sendFault(response, new KmsFault(400, 'UnknownOperationException'));
    try {
      send(response, 200, handler(body, request));
    } catch (error) {
      if (error instanceof KmsFault) return sendFault(response, error);
      sendFault(response, new KmsFault(500, 'KMSInternalException', error instanceof Error ? error.message : String(error)));
    }
  };

  const record = (call: FakeKmsCall): void => {
    options.onCall?.(call);
    if (options.recordCalls !== false) calls.push(call);
  };

  const handle = (request: IncomingMessage, response: ServerResponse, raw: string): void => {
    const target = request.headers['x-amz-target'];
    const operation = typeof target === 'string' && target.startsWith('TrentService.') ? target.slice('TrentService.'.length) : '';
    let body: Record<string, unknown>;
    try {
      body = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
    } catch {
      record({ operation, body: {}, ...signer(request) });
      return sendFault(response, new KmsFault(400, 'SerializationException', 'Start of structure or map found where not expected.'));
    }
    const accountId = callerAccount(request);
    record({ operation, body, ...signer(request), ...(accountId === undefined ? {} : { accountId }) });
    if (request.method !== 'POST' || operation === '') return sendFault(response, new KmsFault(400, 'UnknownOperationException'));
    if (options.quotas !== undefined && !meter.admit(accountId ?? FAKE_ACCOUNT_ID, signingRegion(request), operation)) {
      return sendFault(response, new KmsFault(400, 'ThrottlingException', THROTTLING_MESSAGE));
    }
    const fault = takeFault(operation);
    if (fault === undefined) return answer(operation, body, request, response);
    if ('delayMs' in fault) {
      // A request the client gave up on is not applied, so a timed-out call has no hidden effect.
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!response.destroyed && !request.socket.destroyed) answer(operation, body, request, response);
      }, fault.delayMs);
      timers.add(timer);
      return;
    }
    const type = fault.type ?? (fault.status === 503 ? 'ServiceUnavailableException' : fault.status === 400 ? 'ValidationException' : 'KMSInternalException');
    const message = fault.message ?? (type === 'ThrottlingException' ? THROTTLING_MESSAGE : undefined);
    sendFault(response, new KmsFault(fault.status, type, message));
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const testKey = (keyIdOrArn: string): KeyEntry => {
    try {
      return keyById(keyIdOrArn);
    } catch {
      throw new Error(`fake KMS has no key ${keyIdOrArn}`);
    }
  };

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    createKey,
    state: (keyIdOrArn) => testKey(keyIdOrArn).state,
    setState: (keyIdOrArn, state) => {
      testKey(keyIdOrArn).state = state;
    },
    addGrant: (keyIdOrArn, grant) => addGrant(testKey(keyIdOrArn), grant).grantId,
    grantIds: (keyIdOrArn) => testKey(keyIdOrArn).grants.map((grant) => grant.grantId),
    setLastUsage: (keyIdOrArn, usage, trackingStartDate) => {
      const key = testKey(keyIdOrArn);
      key.lastUsage = usage;
      if (trackingStartDate !== undefined) key.trackingStartDate = new Date(trackingStartDate);
    },
    failNext: (operation, times, fault) => {
      const queue = faults.get(operation) ?? [];
      queue.push({ remaining: times, fault });
      faults.set(operation, queue);
    },
    clearFaults: () => faults.clear(),
    callsOf: (operation) => calls.filter((call) => call.operation === operation),
    rates: () => meter.rates(),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

export interface FakeKmsClientOptions extends Partial<KMSClientConfig> {
  /** Milliseconds before the client abandons a request (a retryable TimeoutError). */
  readonly requestTimeoutMs?: number;
}

/** A real KMSClient pointed at the fake: standard retries (3 attempts), dummy credentials, us-east-1. */
export const kmsClientFor = (fake: Pick<FakeKms, 'endpoint'>, overrides: FakeKmsClientOptions = {}): KMSClient => {
  const { requestTimeoutMs = 2_000, ...config } = overrides;
  return new KMSClient({
    endpoint: fake.endpoint,
    region: FAKE_REGION,
    credentials: { accessKeyId: 'AKIAFAKEKMSGUARD0000', secretAccessKey: 'fake-secret' },
    retryMode: 'standard',
    maxAttempts: 3,
    requestHandler: { requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
    ...config,
  });
};
