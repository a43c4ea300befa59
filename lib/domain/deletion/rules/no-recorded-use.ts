/**
 * Rule 9: no use recorded at all. Absence of use is evidence only where someone was watching: KMS's own usage
 * tracking, or the store where its coverage says every usage event of the account and Region was recorded and
 * the heartbeat says read-only events still arrive (a trail without read-only events delivers the scheduling
 * but never a Decrypt). Conclusive after a full recent-use window before the scheduling; otherwise alert.
 */
import { NOT_APPLICABLE, type DeletionRule } from '../rule.js';
import { daysBetween, judgedAt, latest } from '../timeline.js';

export const noRecordedUse: DeletionRule = (evidence, policy, now) => {
  if (evidence.lastUse !== undefined) return NOT_APPLICABLE;
  const at = judgedAt(evidence, now);
  const days = (since: string | undefined): number | undefined => (since === undefined ? undefined : daysBetween(since, at));
  const window = policy.recentUseWindowDays;
  const coverage = evidence.usageCoverage;
  const lastArrival = coverage?.lastUsageEventAt;
  const heartbeat = lastArrival !== undefined && daysBetween(lastArrival, at) * 24 <= policy.usageHeartbeatHours;
  // A key created after the store began watching has been watched all its life.
  const storeSince = coverage?.watchedSince === undefined ? undefined : latest(coverage.watchedSince, evidence.createdAt);
  const kmsDays = days(evidence.kmsTrackingSince);
  const storeDays = days(storeSince);
  const facts = {
    ...(storeSince === undefined ? {} : { watchedSince: storeSince }),
    ...(evidence.kmsTrackingSince === undefined ? {} : { kmsTrackingSince: evidence.kmsTrackingSince }),
    watchedDays: Math.floor(Math.max(kmsDays ?? 0, heartbeat ? (storeDays ?? 0) : 0)),
    requiredDays: window,
  };
  if ((kmsDays ?? 0) >= window || (heartbeat && (storeDays ?? 0) >= window)) {
    return { applies: true, action: 'allow-deletion', reason: 'no-recorded-use', facts: { ...facts, watchedBy: (kmsDays ?? 0) >= window ? 'kms' : 'store' } };
  }
  const young = evidence.createdAt !== undefined && daysBetween(evidence.createdAt, at) < window;
  if (!heartbeat && !young && (storeDays === undefined || storeDays >= window)) {
    return {
      applies: true,
      action: 'alert',
      reason: 'usage-events-unverified',
      facts: { ...facts, lastUsageEventAt: lastArrival ?? null, heartbeatHours: policy.usageHeartbeatHours },
    };
  }
  return { applies: true, action: 'alert', reason: 'insufficient-history', facts };
};
