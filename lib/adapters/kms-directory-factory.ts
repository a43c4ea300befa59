/**
 * Org mode: a KeyDirectory for the account and Region that own a key. CancelKeyDeletion, EnableKey and
 * GetKeyLastUsage cannot be called cross-account, so a key in another account is reached through a
 * remediation role assumed in that account.
 */
import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { Clock, KeyDirectory } from '../domain/ports.js';
import { ConfigError, KmsGuardError } from '../errors.js';
import { KmsKeyDirectory } from './kms-key-directory.js';
import { DEFAULT_KMS_CLIENT_CONFIG } from './kms-client-config.js';
import { OperationRateLimiter, type RateLimiter } from './rate-limiter.js';

/** A key in another account while org mode (a remediation role) is not configured. */
export class OrgModeNotConfiguredError extends KmsGuardError {
  constructor(readonly keyArn: string, readonly accountId: string) {
    super(`key ${keyArn} is in account ${accountId}, not the guard's; set KMS_GUARD_REMEDIATION_ROLE to manage keys across the organization`);
  }
}

export class InvalidKeyArnError extends KmsGuardError {
  constructor(readonly keyArn: string) {
    super(`not a KMS key ARN: ${keyArn}`);
  }
}

export class AssumeRoleError extends KmsGuardError {
  constructor(readonly roleArn: string, options?: ErrorOptions) {
    super(`could not assume ${roleArn}`, options);
  }
}

export { DEFAULT_KMS_CLIENT_CONFIG };

export interface KmsDirectoryFactoryOptions {
  readonly guardAccountId: string;
  /** Role name assumed in a key's own account; without it, keys of other accounts are refused. */
  readonly remediationRoleName?: string;
  /** Needed when remediationRoleName is set. */
  readonly sts?: STSClient;
  readonly clientConfig?: KMSClientConfig;
  readonly createKmsClient?: (config: KMSClientConfig) => KMSClient;
  /** One limiter per account and Region, since KMS quotas are per account and Region. */
  readonly createLimiter?: () => RateLimiter;
  readonly clock?: Clock;
  /** Assumed-role credentials are renewed this long before they expire. */
  readonly refreshBeforeExpiryMs?: number;
  readonly roleSessionDurationSeconds?: number;
}

/** Static credentials as the KMS client takes them (the type lives in @smithy/types, not a direct dependency). */
export type AwsCredentialIdentity = Extract<NonNullable<KMSClientConfig['credentials']>, { accessKeyId: string }>;

interface CachedCredentials {
  readonly identity: Promise<AwsCredentialIdentity>;
  /** Epoch ms; undefined while AssumeRole is in flight or when the credentials do not expire. */
  expiresAt?: number;
}

const KEY_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/[A-Za-z0-9-]+$/;

/** The partition of a Region, for role ARNs built without a key ARN to copy it from. */
export const partitionOf = (region: string): string =>
  region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';

export class KmsDirectoryFactory {
  private readonly directories = new Map<string, KeyDirectory>();
  private readonly credentials = new Map<string, CachedCredentials>();
  private readonly createKmsClient: (config: KMSClientConfig) => KMSClient;
  private readonly clock: Clock;

  constructor(private readonly options: KmsDirectoryFactoryOptions) {
    if (options.remediationRoleName !== undefined && options.sts === undefined) {
      throw new ConfigError('org mode needs an STS client to assume the remediation role');
    }
    this.createKmsClient = options.createKmsClient ?? ((config) => new KMSClient(config));
    this.clock = options.clock ?? { now: () => new Date() };
  }

  forKey(keyArn: string): KeyDirectory {
    const match = KEY_ARN.exec(keyArn);
    const [, partition, region, accountId] = match ?? [];
    if (partition === undefined || region === undefined || accountId === undefined) throw new InvalidKeyArnError(keyArn);
    if (accountId !== this.options.guardAccountId && this.options.remediationRoleName === undefined) {
      throw new OrgModeNotConfiguredError(keyArn, accountId);
    }
    return this.directory(accountId, region, partition);
  }

  forAccountRegion(accountId: string, region: string): KeyDirectory {
    if (accountId !== this.options.guardAccountId && this.options.remediationRoleName === undefined) {
      throw new OrgModeNotConfiguredError(`arn:${partitionOf(region)}:kms:${region}:${accountId}:key/*`, accountId);
    }
    return this.directory(accountId, region, partitionOf(region));
  }

  /**
   * Credentials for calls into an account: undefined for the guard's own (the function's role), else the
   * remediation role assumed there (cached, shared by every client of that account). Other adapters that must
   * ask a member account (custom key stores, CloudHSM) use the same role.
   */
  credentialsFor(accountId: string, region: string): (() => Promise<AwsCredentialIdentity>) | undefined {
    if (accountId === this.options.guardAccountId) return undefined;
    if (this.options.remediationRoleName === undefined) {
      throw new OrgModeNotConfiguredError(`arn:${partitionOf(region)}:kms:${region}:${accountId}:key/*`, accountId);
    }
    return () => this.assumedCredentials(accountId, partitionOf(region));
  }

  private directory(accountId: string, region: string, partition: string): KeyDirectory {
    const cacheKey = `${accountId}/${region}`;
    const cached = this.directories.get(cacheKey);
    if (cached !== undefined) return cached;
    const sameAccount = accountId === this.options.guardAccountId;
    const client = this.createKmsClient({
      ...DEFAULT_KMS_CLIENT_CONFIG,
      ...this.options.clientConfig,
      region,
      ...(sameAccount ? {} : { credentials: () => this.assumedCredentials(accountId, partition) }),
    });
    const directory = new KmsKeyDirectory(client, {
      limiter: this.options.createLimiter?.() ?? new OperationRateLimiter(),
      clock: this.clock,
    });
    this.directories.set(cacheKey, directory);
    return directory;
  }

  /** Cached per account (shared by its Regions) until shortly before expiry; concurrent callers share one AssumeRole. */
  private assumedCredentials(accountId: string, partition: string): Promise<AwsCredentialIdentity> {
    const cached = this.credentials.get(accountId);
    const margin = this.options.refreshBeforeExpiryMs ?? 5 * 60_000;
    if (cached !== undefined && (cached.expiresAt === undefined || cached.expiresAt - margin > this.clock.now().getTime())) {
      return cached.identity;
    }
    return this.assumeRole(accountId, partition);
  }

  private assumeRole(accountId: string, partition: string): Promise<AwsCredentialIdentity> {
    const roleArn = `arn:${partition}:iam::${accountId}:role/${this.options.remediationRoleName ?? ''}`;
    const pending = (async (): Promise<AwsCredentialIdentity> => {
      const sts = this.options.sts;
      if (sts === undefined) throw new ConfigError('org mode needs an STS client to assume the remediation role');
      const response = await sts
        .send(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: 'kms-guard',
            DurationSeconds: this.options.roleSessionDurationSeconds,
          }),
        )
        .catch((error: unknown) => {
          throw new AssumeRoleError(roleArn, { cause: error });
        });
      const credentials = response.Credentials;
      if (credentials?.AccessKeyId === undefined || credentials.SecretAccessKey === undefined) {
        throw new AssumeRoleError(roleArn, { cause: new Error('AssumeRole returned no credentials') });
      }
      return {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        expiration: credentials.Expiration,
        accountId,
      };
    })();
    const entry: CachedCredentials = { identity: pending };
    this.credentials.set(accountId, entry);
    pending.then(
      (identity) => {
        entry.expiresAt = identity.expiration?.getTime();
      },
      () => {
        // A failed AssumeRole is not cached: the next call tries again.
        if (this.credentials.get(accountId) === entry) this.credentials.delete(accountId);
      },
    );
    return pending;
  }
}
