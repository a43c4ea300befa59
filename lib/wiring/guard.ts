/** deletion-guard, deletion-sweep and grant-expirer: the stores, KMS (STS in org mode) and the decision bus. */
import { KMS_THROTTLED_MESSAGE } from '../adapters/kms-throttle-watch.js';
import { baseRuntime, once } from './base.js';
import { coverageStore, decisionStore, documentClient, grantStore, usageStore } from './dynamodb.js';
import { kmsRuntime } from './kms.js';
import { decisionPublisher } from './publisher.js';

export const guardRuntime = once(() => {
  const base = baseRuntime();
  const documents = documentClient(base.config);
  return {
    ...base,
    ...kmsRuntime(base.config, { onThrottled: (operation, errorName) => base.logger.warn(KMS_THROTTLED_MESSAGE, { operation, errorName }) }),
    usage: usageStore(documents, base.config),
    grants: grantStore(documents, base.config),
    // The grant expirer calls a grant stale only where coverage says the guard watched the whole window.
    coverage: coverageStore(documents, base.config),
    decisions: decisionStore(documents, base.config),
    publisher: decisionPublisher(base.config),
  };
});
