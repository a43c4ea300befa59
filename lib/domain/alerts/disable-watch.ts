/**
 * Disabling a key breaks whoever still uses it, and unlike a deletion it takes effect at once.
 * disabled-in-use: a DisableKey on a key with successful cryptographic use in the recent-use window.
 * use-while-disabled: calls failing with DisabledException name the workloads that broke; one alert per
 * workload per disable period (decisionId `disabled-use#<keyArn>#<disabledAt>#<caller>`), not one per failed call.
 */
import { callerId, type KmsEvent } from '../kms-event.js';
import type { KeyUsageSummary, StateTransition } from '../model.js';
import { isPendingDeletionError } from '../operations.js';
import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type RuleResult } from './rule-result.js';

const DAY_MS = 86_400_000;
const TOP_CALLERS = 5;

export const disabledInUse = (disabledAt: string, usage: KeyUsageSummary, recentUseWindowDays: number): RuleResult => {
  const lastUse = usage.lastCryptographicUseAt;
  const windowStart = new Date(new Date(disabledAt).getTime() - recentUseWindowDays * DAY_MS).toISOString();
  if (lastUse === undefined || lastUse < windowStart) return COMPLIANT;
  const topCallers = [...usage.callers]
    .filter((caller) => caller.lastAt >= windowStart)
    .sort((a, b) => b.count - a.count || b.lastAt.localeCompare(a.lastAt))
    .slice(0, TOP_CALLERS)
    .map((caller) => ({ id: caller.id, count: caller.count, lastAt: caller.lastAt, operations: caller.operations }));
  return nonCompliant('disabled-in-use', {
    lastUsedAt: lastUse,
    recentUseWindowDays,
    useCount: usage.useCount,
    lastUsedByOperation: usage.lastUsedByOperation,
    topCallers,
  });
};

/** Is this a call that failed because its key is disabled (and not because it is pending deletion)? */
export const isDisabledFailure = (event: KmsEvent): boolean =>
  event.error?.code === 'DisabledException' && !isPendingDeletionError(event.error);

/**
 * When the Disabled period that holds `at` began: the first of the run of Disabled transitions before it.
 * Undefined when the history does not show the key Disabled at that time.
 */
export const disabledSince = (history: readonly StateTransition[], at: string): StateTransition | undefined => {
  let index = history.findLastIndex((transition) => transition.at <= at);
  if (index < 0 || history[index]?.state !== 'Disabled') return undefined;
  while (index > 0 && history[index - 1]?.state === 'Disabled') index -= 1;
  return history[index];
};

/**
 * One alert per workload that breaks during a disable period: a second workload failing is news, the same one
 * retrying is not. An unknown period start falls back to the day.
 */
export const disabledUseDecisionId = (keyArn: string, failure: KmsEvent, since: StateTransition | undefined): string =>
  `disabled-use#${keyArn}#${since?.at ?? `unknown-${failure.eventTime.slice(0, 10)}`}#${callerId(failure.caller)}`;

export const useWhileDisabled = (
  failure: KmsEvent,
  since: StateTransition | undefined,
  usage: KeyUsageSummary,
): RuleResult => {
  if (!isDisabledFailure(failure)) return NOT_APPLICABLE;
  const periodStart = since?.at ?? '';
  const broken = new Set<string>([callerId(failure.caller)]);
  const operations = new Set<string>([failure.eventName]);
  for (const summary of usage.failures) {
    if (summary.errorCode !== 'DisabledException' || summary.lastAt < periodStart) continue;
    if (isPendingDeletionError({ code: summary.errorCode, message: summary.lastMessage })) continue;
    summary.callers.forEach((caller) => broken.add(caller));
    operations.add(summary.operation);
  }
  return nonCompliant('use-while-disabled', {
    disabledAt: since?.at ?? 'unknown',
    ...(since?.by === undefined ? {} : { disabledBy: since.by }),
    failedAt: failure.eventTime,
    failedOperations: [...operations],
    brokenCallers: [...broken].slice(0, 20),
    ...(failure.userAgent === undefined ? {} : { userAgent: failure.userAgent }),
    errorMessage: failure.error?.message ?? '',
    ...(usage.lastCryptographicUseAt === undefined ? {} : { lastUsedAt: usage.lastCryptographicUseAt }),
  });
};
