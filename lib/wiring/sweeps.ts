/**
 * sweep-worker: the stores, the work queue (for continuations) and KMS paced per sweep kind to its share of each
 * account's quotas (one factory, so one limiter, per kind and account).
 */
import { STSClient } from '@aws-sdk/client-sts';
import { DEFAULT_KMS_CLIENT_CONFIG, KmsDirectoryFactory, type KmsDirectoryFactoryOptions } from '../adapters/kms-directory-factory.js';
import { sweepRates } from '../adapters/kms-quotas.js';
import { OperationRateLimiter } from '../adapters/rate-limiter.js';
import type { RuntimeConfig } from '../config.js';
import type { KeyDirectory } from '../domain/ports.js';
import type { SweepKind } from '../domain/sweeps/work-item.js';
import { baseRuntime, once } from './base.js';
import { coverageStore, decisionStore, documentClient, grantStore, usageStore } from './dynamodb.js';
import { decisionPublisher } from './publisher.js';
import { sweepQueue } from './sweep-queue.js';


/** Tests point the clients at a local KMS and pace on a simulated clock. */
export interface PacedDirectoryOverrides {
  readonly sts?: STSClient;
  readonly createKmsClient?: KmsDirectoryFactoryOptions['createKmsClient'];
  readonly bucketOptions?: ConstructorParameters<typeof OperationRateLimiter>[1];
}

/** KMS for a work item's account and Region, paced to the item's kind's share of the quotas. */
export const pacedDirectories = (
  config: Pick<RuntimeConfig, 'accountId' | 'region' | 'remediationRoleName' | 'sweepKmsBudgetPercent'>,
  overrides: PacedDirectoryOverrides = {},
): ((item: { kind: SweepKind; accountId: string; region: string }) => KeyDirectory) => {
  const sts = overrides.sts ?? (config.remediationRoleName === undefined ? undefined : new STSClient({ region: config.region }));
  const factories = new Map<SweepKind, KmsDirectoryFactory>();
  return ({ kind, accountId, region }) => {
    let factory = factories.get(kind);
    if (factory === undefined) {
      factory = new KmsDirectoryFactory({
        guardAccountId: config.accountId,
        remediationRoleName: config.remediationRoleName,
        sts,
        clientConfig: { ...DEFAULT_KMS_CLIENT_CONFIG, region: config.region },
        createLimiter: () => new OperationRateLimiter(sweepRates(kind, config.sweepKmsBudgetPercent), overrides.bucketOptions),
        ...(overrides.createKmsClient === undefined ? {} : { createKmsClient: overrides.createKmsClient }),
      });
      factories.set(kind, factory);
    }
    return factory.forAccountRegion(accountId, region);
  };
};

export const workerRuntime = once(() => {
  const base = baseRuntime();
  const { config } = base;
  const documents = documentClient(config);
  const stores = {
    usage: usageStore(documents, config),
    grants: grantStore(documents, config),
    coverage: coverageStore(documents, config),
    decisions: decisionStore(documents, config),
    publisher: decisionPublisher(config),
  };
  const shared = { ...stores, clock: base.clock, mode: config.mode, policy: config.policy };
  return { ...base, deletion: shared, grants: shared, queue: sweepQueue(config), directoryFor: pacedDirectories(config) };
});
