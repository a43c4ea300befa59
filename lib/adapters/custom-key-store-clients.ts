/**
 * The KMS and CloudHSM clients that answer about custom key stores in one account and Region. KMS
 * DescribeCustomKeyStores and CloudHSM DescribeClusters see only the caller's own account, so a store in a
 * member account is asked about through the remediation role assumed there (the credentials the key
 * directories use); asked with the central account's credentials it is simply not found, and an HSM deleted
 * under it would never be counted.
 */
import { CloudHSMV2Client } from '@aws-sdk/client-cloudhsm-v2';
import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import type { StoreScope } from '../domain/alerts/custom-key-store-registry.js';
import type { ClusterDescriber } from './custom-key-store-live-registry.js';
import { DEFAULT_KMS_CLIENT_CONFIG } from './kms-client-config.js';
import type { AwsCredentialIdentity } from './kms-directory-factory.js';

export interface CustomKeyStoreClients {
  readonly kms: KMSClient;
  readonly cloudHsm: ClusterDescriber;
}

export interface ScopedClientOptions {
  /** The guard's own Region: calls without a scope go there with the function's credentials. */
  readonly region: string;
  /** Undefined for the guard's account; throws when another account cannot be reached (no remediation role). */
  readonly credentialsFor: (accountId: string, region: string) => (() => Promise<AwsCredentialIdentity>) | undefined;
  readonly guardAccountId: string;
  readonly kmsConfig?: KMSClientConfig;
  readonly createKmsClient?: (config: KMSClientConfig) => KMSClient;
  readonly createCloudHsmClient?: (config: { region: string; credentials?: () => Promise<AwsCredentialIdentity> }) => ClusterDescriber;
}

/** One pair of clients per account and Region, built on first use. */
export const scopedCustomKeyStoreClients = (options: ScopedClientOptions): ((scope?: StoreScope) => CustomKeyStoreClients) => {
  const clients = new Map<string, CustomKeyStoreClients>();
  const createKms = options.createKmsClient ?? ((config: KMSClientConfig) => new KMSClient(config));
  const createCloudHsm = options.createCloudHsmClient ?? ((config) => new CloudHSMV2Client(config));
  return (scope) => {
    const accountId = scope?.accountId ?? options.guardAccountId;
    const region = scope?.region ?? options.region;
    const cacheKey = `${accountId}/${region}`;
    const cached = clients.get(cacheKey);
    if (cached !== undefined) return cached;
    const credentials = options.credentialsFor(accountId, region);
    const built: CustomKeyStoreClients = {
      kms: createKms({ ...DEFAULT_KMS_CLIENT_CONFIG, ...options.kmsConfig, region, ...(credentials === undefined ? {} : { credentials }) }),
      cloudHsm: createCloudHsm({ region, ...(credentials === undefined ? {} : { credentials }) }),
    };
    clients.set(cacheKey, built);
    return built;
  };
};
