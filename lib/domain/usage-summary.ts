/** Folds a key's day buckets into the KeyUsageSummary the guard's rules read. */
import type { CallerUsage, FailedCall, FailureSummary, KeyUsageSummary } from './model.js';
import { PUBLIC_KEY_EXPORT } from './operations.js';
import { isLater, latestCall, maxIso, minIso, type UsageDay } from './usage.js';
import { mergeFailureCallers } from './usage-bounds.js';

export const summarizeUsage = (keyArn: string, days: readonly UsageDay[]): KeyUsageSummary => {
  const lastUsedByOperation: Record<string, string> = {};
  const dailyCounts: Record<string, Record<string, number>> = {};
  const callers = new Map<string, CallerUsage>();
  const failures = new Map<string, FailureSummary>();
  let useCount = 0;
  let firstSeenAt: string | undefined;
  let lastPendingDeletionFailure: FailedCall | undefined;
  let lastDisabledFailure: FailedCall | undefined;

  for (const day of days) {
    firstSeenAt = minIso(firstSeenAt, day.firstAt);
    const counts = dailyCounts[day.day] ?? {};
    dailyCounts[day.day] = counts;
    for (const [operation, count] of Object.entries(day.counts)) {
      counts[operation] = (counts[operation] ?? 0) + count;
      useCount += count;
    }
    for (const [operation, at] of Object.entries(day.lastAt)) {
      lastUsedByOperation[operation] = maxIso(lastUsedByOperation[operation], at);
    }
    for (const [id, caller] of Object.entries(day.callers)) {
      const known = callers.get(id);
      callers.set(id, {
        id,
        principal: caller.principal,
        ...(caller.service === undefined ? {} : { service: caller.service }),
        count: (known?.count ?? 0) + caller.count,
        lastAt: maxIso(known?.lastAt, caller.lastAt),
        operations: union(known?.operations, caller.operations),
      });
    }
    for (const [id, failure] of Object.entries(day.failures)) {
      const known = failures.get(id);
      const newer = known === undefined || isLater(failure.lastAt, failure.lastEventId, known.lastAt, known.lastEventId);
      const latest = newer ? failure : known;
      failures.set(id, {
        operation: failure.operation,
        errorCode: failure.errorCode,
        count: (known?.count ?? 0) + failure.count,
        lastAt: latest.lastAt,
        lastMessage: latest.lastMessage,
        lastEventId: latest.lastEventId,
        ...mergeFailureCallers(known, failure),
      });
    }
    if (day.lastPendingDeletionFailure !== undefined) {
      lastPendingDeletionFailure = latestCall(lastPendingDeletionFailure, day.lastPendingDeletionFailure);
    }
    if (day.lastDisabledFailure !== undefined) lastDisabledFailure = latestCall(lastDisabledFailure, day.lastDisabledFailure);
  }

  const useTimes = Object.values(lastUsedByOperation);
  const cryptographicTimes = Object.entries(lastUsedByOperation)
    .filter(([operation]) => operation !== PUBLIC_KEY_EXPORT)
    .map(([, at]) => at);
  return {
    keyArn,
    ...optional('lastUsedAt', latestOf(useTimes)),
    ...optional('lastCryptographicUseAt', latestOf(cryptographicTimes)),
    lastUsedByOperation,
    useCount,
    dailyCounts,
    callers: [...callers.values()].sort((a, b) => b.lastAt.localeCompare(a.lastAt) || a.id.localeCompare(b.id)),
    failures: [...failures.values()].sort(
      (a, b) => b.lastAt.localeCompare(a.lastAt) || `${a.operation}|${a.errorCode}`.localeCompare(`${b.operation}|${b.errorCode}`),
    ),
    ...optional('lastPendingDeletionFailure', lastPendingDeletionFailure),
    ...optional('lastDisabledFailure', lastDisabledFailure),
    ...optional('firstSeenAt', firstSeenAt),
  };
};

const latestOf = (times: readonly string[]): string | undefined =>
  times.reduce<string | undefined>((latest, at) => maxIso(latest, at), undefined);

const union = (current: readonly string[] | undefined, added: readonly string[]): string[] =>
  [...new Set([...(current ?? []), ...added])].sort();

const optional = <K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [name]: value }) as { [P in K]?: V };
