/** Rule 8: the key was used, but no cryptographic use falls within the recent-use window before the scheduling. People must judge. */
import { NOT_APPLICABLE, type DeletionRule } from '../rule.js';
import { daysBetween, judgedAt } from '../timeline.js';
import { useDetails } from './recent-use.js';

export const oldUse: DeletionRule = (evidence, policy, now) => {
  if (evidence.lastUse === undefined) return NOT_APPLICABLE;
  const at = judgedAt(evidence, now);
  const crypto = evidence.lastCryptographicUse;
  if (crypto !== undefined && daysBetween(crypto.at, at) <= policy.recentUseWindowDays) return NOT_APPLICABLE;
  const use = crypto ?? evidence.lastUse;
  return {
    applies: true,
    action: 'alert',
    reason: 'old-use',
    facts: { lastUsedAt: use.at, daysAgo: Math.floor(daysBetween(use.at, at)), ...useDetails(use) },
  };
};
