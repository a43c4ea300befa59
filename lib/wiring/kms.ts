/** KMS for the functions that act on keys: per key, and per watched account and Region (org mode assumes a role). */
import { KMSClient } from '@aws-sdk/client-kms';
import { STSClient } from '@aws-sdk/client-sts';
import { BudgetedLimiter, type KmsCallBudget } from '../adapters/kms-call-budget.js';
import { DEFAULT_KMS_CLIENT_CONFIG, KmsDirectoryFactory } from '../adapters/kms-directory-factory.js';
import { watchKmsThrottling } from '../adapters/kms-throttle-watch.js';
import { OperationRateLimiter } from '../adapters/rate-limiter.js';
import type { RuntimeConfig } from '../config.js';
import type { KeyDirectory } from '../domain/ports.js';

export interface KmsRuntime {
  readonly keyDirectoryFor: (keyArn: string) => KeyDirectory;
  readonly keyDirectories: () => KeyDirectory[];
}

export interface KmsRuntimeOptions {
  /** Caps the evidence calls of an invocation (the deletion guard); default none. */
  readonly budget?: KmsCallBudget;
  /** Told of every throttled KMS attempt (kms-throttle-watch.ts); default none. */
  readonly onThrottled?: (operation: string, errorName: string) => void;
}

export const kmsRuntime = (
  config: Pick<RuntimeConfig, 'accountId' | 'region' | 'remediationRoleName' | 'memberAccountIds'>,
  options: KmsRuntimeOptions = {},
): KmsRuntime => {
  const { budget, onThrottled } = options;
  const directories = new KmsDirectoryFactory({
    guardAccountId: config.accountId,
    remediationRoleName: config.remediationRoleName,
    sts: config.remediationRoleName === undefined ? undefined : new STSClient({ region: config.region }),
    clientConfig: { ...DEFAULT_KMS_CLIENT_CONFIG, region: config.region },
    ...(onThrottled === undefined ? {} : { createKmsClient: (clientConfig) => watchKmsThrottling(new KMSClient(clientConfig), onThrottled) }),
    // One budget for the invocation, whichever account and Region the keys are in.
    ...(budget === undefined ? {} : { createLimiter: () => new BudgetedLimiter(new OperationRateLimiter(), budget) }),
  });
  const watchedAccounts = [config.accountId, ...config.memberAccountIds];
  return {
    keyDirectoryFor: (keyArn) => directories.forKey(keyArn),
    keyDirectories: () => watchedAccounts.map((accountId) => directories.forAccountRegion(accountId, config.region)),
  };
};
