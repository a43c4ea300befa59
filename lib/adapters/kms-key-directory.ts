/**
 * KeyDirectory over one KMSClient (one account and Region). Reads are paged and paced; repairs never
 * throw for KMS errors: they return outcomes the use case turns into alerts. Transient errors
 * (throttling, 5xx, timeouts) are retried by the SDK's standard retry strategy, configured where the
 * client is created (KmsDirectoryFactory).
 */
import {
  CancelKeyDeletionCommand,
  DescribeKeyCommand,
  EnableKeyCommand,
  GetKeyLastUsageCommand,
  ListAliasesCommand,
  ListGrantsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  RevokeGrantCommand,
  type GrantListEntry,
  type KeyMetadata,
  type KMSClient,
} from '@aws-sdk/client-kms';
import type { ActionOutcome, GrantConstraints, GrantRecord } from '../domain/model.js';
import type { Clock, DescribeOptions, KeyDirectory, KeyPage, KmsKeyFacts } from '../domain/ports.js';
import { KeyNotFoundError } from '../errors.js';
import { UNLIMITED, type RateLimiter } from './rate-limiter.js';

export interface KmsKeyDirectoryOptions {
  /** Paces requests per operation (e.g. an OperationRateLimiter); default: unpaced. */
  readonly limiter?: RateLimiter;
  /** Stands in for a grant's CreationDate should KMS omit it, so such a grant counts as new, never as stale. */
  readonly clock?: Clock;
}

/** GetKeyLastUsage is newer than the rest of the API: where it is not allowed or not offered, describe() does without it. */
const LAST_USAGE_UNAVAILABLE = new Set(['AccessDeniedException', 'UnknownOperationException', 'UnsupportedOperationException']);
const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'Error');
const describeError = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
const iso = (date: Date | undefined): string | undefined => date?.toISOString();

export class KmsKeyDirectory implements KeyDirectory {
  private readonly limiter: RateLimiter;
  private readonly clock: Clock;

  constructor(
    private readonly kms: KMSClient,
    options: KmsKeyDirectoryOptions = {},
  ) {
    this.limiter = options.limiter ?? UNLIMITED;
    this.clock = options.clock ?? { now: () => new Date() };
  }

  private async metadata(keyArn: string): Promise<KeyMetadata> {
    await this.limiter.acquire('DescribeKey');
    const metadata = await this.kms.send(new DescribeKeyCommand({ KeyId: keyArn })).then(
      (response) => response.KeyMetadata,
      (error: unknown) => {
        throw errorName(error) === 'NotFoundException' ? new KeyNotFoundError(keyArn, { cause: error }) : error;
      },
    );
    if (metadata === undefined) throw new KeyNotFoundError(keyArn);
    return metadata;
  }

  async keyState(keyArn: string): Promise<string> {
    return (await this.metadata(keyArn)).KeyState ?? 'Unknown';
  }

  async describe(keyArn: string, options: DescribeOptions = {}): Promise<KmsKeyFacts> {
    const metadata = await this.metadata(keyArn);
    const [tags, aliases, usage] = await Promise.all([
      this.tags(keyArn),
      options.aliases === undefined ? this.aliases(keyArn) : [...options.aliases].sort(),
      options.lastUsage === false ? {} : this.lastUsage(keyArn),
    ]);
    return {
      keyArn: metadata.Arn ?? keyArn,
      keyState: metadata.KeyState ?? 'Unknown',
      keySpec: metadata.KeySpec,
      keyUsage: metadata.KeyUsage,
      origin: metadata.Origin,
      keyManager: metadata.KeyManager,
      customKeyStoreId: metadata.CustomKeyStoreId,
      multiRegion: metadata.MultiRegion,
      multiRegionKeyType: metadata.MultiRegionConfiguration?.MultiRegionKeyType,
      deletionDate: iso(metadata.DeletionDate),
      creationDate: iso(metadata.CreationDate),
      tags,
      aliases,
      ...usage,
    };
  }

  async listGrants(keyArn: string): Promise<GrantRecord[]> {
    const grants: GrantRecord[] = [];
    let marker: string | undefined;
    do {
      await this.limiter.acquire('ListGrants');
      const page = await this.kms.send(new ListGrantsCommand({ KeyId: keyArn, Limit: 100, Marker: marker }));
      for (const entry of page.Grants ?? []) {
        if (entry.GrantId !== undefined) grants.push(this.toGrantRecord(keyArn, entry.GrantId, entry));
      }
      marker = page.Truncated === true ? page.NextMarker : undefined;
    } while (marker !== undefined);
    return grants;
  }

  async listKeyArns(): Promise<string[]> {
    const arns: string[] = [];
    let marker: string | undefined;
    do {
      const page = await this.listKeyPage(marker);
      arns.push(...page.keyArns);
      marker = page.nextMarker;
    } while (marker !== undefined);
    return arns;
  }

  async listKeyPage(marker?: string): Promise<KeyPage> {
    await this.limiter.acquire('ListKeys');
    const page = await this.kms.send(new ListKeysCommand({ Limit: 1000, Marker: marker }));
    const keyArns = (page.Keys ?? []).flatMap((key) => (key.KeyArn === undefined ? [] : [key.KeyArn]));
    return page.Truncated === true && page.NextMarker !== undefined ? { keyArns, nextMarker: page.NextMarker } : { keyArns };
  }

  /** Aliases name their key by id (TargetKeyId); the key ARN is the alias ARN's prefix with `key/<id>`. */
  async listAliasesByKey(): Promise<ReadonlyMap<string, readonly string[]>> {
    const byKey = new Map<string, string[]>();
    let marker: string | undefined;
    do {
      await this.limiter.acquire('ListAliases');
      const page = await this.kms.send(new ListAliasesCommand({ Limit: 100, Marker: marker }));
      for (const alias of page.Aliases ?? []) {
        if (alias.AliasName === undefined || alias.TargetKeyId === undefined || alias.AliasArn === undefined) continue;
        const keyArn = alias.AliasArn.replace(/:alias\/.*$/, `:key/${alias.TargetKeyId}`);
        byKey.set(keyArn, [...(byKey.get(keyArn) ?? []), alias.AliasName].sort());
      }
      marker = page.Truncated === true ? page.NextMarker : undefined;
    } while (marker !== undefined);
    return byKey;
  }

  cancelKeyDeletion(keyArn: string): Promise<ActionOutcome> {
    return this.act('CancelKeyDeletion', () => this.kms.send(new CancelKeyDeletionCommand({ KeyId: keyArn })), (error) =>
      // Someone (or a concurrent delivery) already cancelled: the key is where the guard wants it.
      errorName(error) === 'KMSInvalidStateException' && error instanceof Error && error.message.includes('is not pending deletion'),
    );
  }

  /** KMS's EnableKey succeeds on a key that is already Enabled, so that case is `ok`. */
  enableKey(keyArn: string): Promise<ActionOutcome> {
    return this.act('EnableKey', () => this.kms.send(new EnableKeyCommand({ KeyId: keyArn })), () => false);
  }

  revokeGrant(keyArn: string, grantId: string): Promise<ActionOutcome> {
    return this.act('RevokeGrant', () => this.kms.send(new RevokeGrantCommand({ KeyId: keyArn, GrantId: grantId })), (error) =>
      ['NotFoundException', 'InvalidGrantIdException'].includes(errorName(error)),
    );
  }

  private async act(call: string, send: () => Promise<unknown>, alreadyDone: (error: unknown) => boolean): Promise<ActionOutcome> {
    try {
      await this.limiter.acquire(call);
      await send();
      return { call, result: 'ok' };
    } catch (error) {
      return { call, result: alreadyDone(error) ? 'already-done' : 'failed', detail: describeError(error) };
    }
  }

  private async tags(keyArn: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    let marker: string | undefined;
    do {
      await this.limiter.acquire('ListResourceTags');
      const page = await this.kms.send(new ListResourceTagsCommand({ KeyId: keyArn, Limit: 50, Marker: marker }));
      for (const tag of page.Tags ?? []) if (tag.TagKey !== undefined) tags[tag.TagKey] = tag.TagValue ?? '';
      marker = page.Truncated === true ? page.NextMarker : undefined;
    } while (marker !== undefined);
    return tags;
  }

  private async aliases(keyArn: string): Promise<string[]> {
    const names: string[] = [];
    let marker: string | undefined;
    do {
      await this.limiter.acquire('ListAliases');
      const page = await this.kms.send(new ListAliasesCommand({ KeyId: keyArn, Limit: 100, Marker: marker }));
      for (const alias of page.Aliases ?? []) if (alias.AliasName !== undefined) names.push(alias.AliasName);
      marker = page.Truncated === true ? page.NextMarker : undefined;
    } while (marker !== undefined);
    return names.sort();
  }

  /** Omitted when unavailable; a transient failure still fails describe(), since last use is evidence that blocks a deletion. */
  private async lastUsage(keyArn: string): Promise<Pick<KmsKeyFacts, 'lastUsage' | 'usageTrackingStartDate'>> {
    await this.limiter.acquire('GetKeyLastUsage');
    try {
      const response = await this.kms.send(new GetKeyLastUsageCommand({ KeyId: keyArn }));
      const used = response.KeyLastUsage;
      return {
        usageTrackingStartDate: iso(response.TrackingStartDate),
        ...(used === undefined
          ? {}
          : { lastUsage: { operation: used.Operation, at: iso(used.Timestamp), eventId: used.CloudTrailEventId } }),
      };
    } catch (error) {
      if (LAST_USAGE_UNAVAILABLE.has(errorName(error))) return {};
      throw error;
    }
  }

  private toGrantRecord(keyArn: string, grantId: string, entry: GrantListEntry): GrantRecord {
    const constraints: GrantConstraints = {
      ...(entry.Constraints?.EncryptionContextSubset ? { encryptionContextSubset: entry.Constraints.EncryptionContextSubset } : {}),
      ...(entry.Constraints?.EncryptionContextEquals ? { encryptionContextEquals: entry.Constraints.EncryptionContextEquals } : {}),
    };
    return {
      grantId,
      keyArn,
      // Prefer the service principal KMS reports, so an AWS-service grant is always recognised as one.
      granteePrincipal: entry.GranteeServicePrincipal ?? entry.GranteePrincipal,
      retiringPrincipal: entry.RetiringServicePrincipal ?? entry.RetiringPrincipal,
      operations: entry.Operations ?? [],
      ...(Object.keys(constraints).length > 0 ? { constraints } : {}),
      ...(entry.Name ? { name: entry.Name } : {}),
      ...(entry.IssuingAccount ? { issuingAccount: entry.IssuingAccount } : {}),
      createdAt: (entry.CreationDate ?? this.clock.now()).toISOString(),
      status: 'active',
      source: 'list-grants',
    };
  }
}
