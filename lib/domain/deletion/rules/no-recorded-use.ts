/**
 * Rule 9: no use recorded at all. Conclusive only when someone (the store, or KMS's own usage tracking) has
 * watched the key for a full recent-use window; otherwise the history is too short to say.
 */
import { NOT_APPLICABLE, type DeletionRule } from '../rule.js';
import { daysBetween } from '../timeline.js';

export const noRecordedUse: DeletionRule = (evidence, policy, now) => {
  if (evidence.lastUse !== undefined) return NOT_APPLICABLE;
  const since = evidence.watchedSince;
  const watchedDays = since === undefined ? 0 : daysBetween(since, now);
  const facts = { ...(since === undefined ? {} : { watchedSince: since }), watchedDays: Math.floor(watchedDays), requiredDays: policy.recentUseWindowDays };
  if (since !== undefined && watchedDays >= policy.recentUseWindowDays) {
    return { applies: true, action: 'allow-deletion', reason: 'no-recorded-use', facts };
  }
  return { applies: true, action: 'alert', reason: 'insufficient-history', facts };
};
