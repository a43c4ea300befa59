/** Rule 6: a successful cryptographic use within the recent-use window: something still depends on the key. */
import { NOT_APPLICABLE, type DeletionRule } from '../rule.js';
import { daysBetween } from '../timeline.js';

export const recentUse: DeletionRule = (evidence, policy, now) => {
  const use = evidence.lastCryptographicUse;
  if (use === undefined) return NOT_APPLICABLE;
  const daysAgo = daysBetween(use.at, now);
  if (daysAgo > policy.recentUseWindowDays) return NOT_APPLICABLE;
  return {
    applies: true,
    action: 'cancel-deletion',
    reason: 'recent-use',
    facts: { lastUsedAt: use.at, daysAgo: Math.floor(daysAgo), ...useDetails(use) },
  };
};

export const useDetails = (use: { operation?: string; by?: string; source: string }): Record<string, string> => ({
  ...(use.operation === undefined ? {} : { operation: use.operation }),
  ...(use.by === undefined ? {} : { by: use.by }),
  source: use.source,
});
