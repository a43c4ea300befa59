/**
 * deletion-guard: the guard's wiring plus a per-invocation budget on KMS evidence calls (a flood of failed calls
 * must not spend the account's KMS quotas) and a log line per throttled KMS attempt (the throttle alarm's metric).
 */
import { KmsCallBudget } from '../adapters/kms-call-budget.js';
import { KMS_THROTTLED_MESSAGE } from '../adapters/kms-throttle-watch.js';
import { baseRuntime, once } from './base.js';
import { coverageStore, decisionStore, documentClient, grantStore, usageStore } from './dynamodb.js';
import { kmsRuntime } from './kms.js';
import { decisionPublisher } from './publisher.js';

export const deletionGuardRuntime = once(() => {
  const base = baseRuntime();
  const documents = documentClient(base.config);
  const evidenceBudget = new KmsCallBudget();
  return {
    ...base,
    ...kmsRuntime(base.config, {
      budget: evidenceBudget,
      onThrottled: (operation, errorName) => base.logger.warn(KMS_THROTTLED_MESSAGE, { operation, errorName }),
    }),
    evidenceBudget,
    usage: usageStore(documents, base.config),
    grants: grantStore(documents, base.config),
    coverage: coverageStore(documents, base.config),
    decisions: decisionStore(documents, base.config),
    publisher: decisionPublisher(base.config),
  };
});
