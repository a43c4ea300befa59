/**
 * Rule 6: a successful cryptographic use within the recent-use window before the scheduling: something still
 * depends on the key. Judged at the scheduling, so the verdict does not decay while the key waits.
 */
import { NOT_APPLICABLE, type DeletionRule } from '../rule.js';
import { daysBetween, judgedAt } from '../timeline.js';

export const recentUse: DeletionRule = (evidence, policy, now) => {
  const use = evidence.lastCryptographicUse;
  if (use === undefined) return NOT_APPLICABLE;
  const daysAgo = daysBetween(use.at, judgedAt(evidence, now));
  if (daysAgo > policy.recentUseWindowDays) return NOT_APPLICABLE;
  return {
    applies: true,
    action: 'cancel-deletion',
    reason: 'recent-use',
    facts: { lastUsedAt: use.at, daysAgo: Math.max(0, Math.floor(daysAgo)), ...useDetails(use) },
  };
};

export const useDetails = (use: { operation?: string; by?: string; source: string }): Record<string, string> => ({
  ...(use.operation === undefined ? {} : { operation: use.operation }),
  ...(use.by === undefined ? {} : { by: use.by }),
  source: use.source,
});
