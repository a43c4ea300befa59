/** KMS for the functions that act on keys: per key, and per watched account and Region (org mode assumes a role). */
import { STSClient } from '@aws-sdk/client-sts';
import { DEFAULT_KMS_CLIENT_CONFIG, KmsDirectoryFactory } from '../adapters/kms-directory-factory.js';
import type { RuntimeConfig } from '../config.js';
import type { KeyDirectory } from '../domain/ports.js';

export interface KmsRuntime {
  readonly keyDirectoryFor: (keyArn: string) => KeyDirectory;
  readonly keyDirectories: () => KeyDirectory[];
}

export const kmsRuntime = (config: Pick<RuntimeConfig, 'accountId' | 'region' | 'remediationRoleName' | 'memberAccountIds'>): KmsRuntime => {
  const directories = new KmsDirectoryFactory({
    guardAccountId: config.accountId,
    remediationRoleName: config.remediationRoleName,
    sts: config.remediationRoleName === undefined ? undefined : new STSClient({ region: config.region }),
    clientConfig: { ...DEFAULT_KMS_CLIENT_CONFIG, region: config.region },
  });
  const watchedAccounts = [config.accountId, ...config.memberAccountIds];
  return {
    keyDirectoryFor: (keyArn) => directories.forKey(keyArn),
    keyDirectories: () => watchedAccounts.map((accountId) => directories.forAccountRegion(accountId, config.region)),
  };
};
