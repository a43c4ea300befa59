/**
 * The usage day bucket's size budget. Successful callers are capped per day (MAX_CALLERS_PER_DAY, usage.ts);
 * failed calls are what anyone can produce at will, so their callers are capped too: past the cap a failure
 * counts its callers instead of naming them. A last byte check keeps a bucket of long ARNs under budget.
 */
import type { FailureSummary } from './model.js';
import { jsonBytes } from './size-budget.js';

/** Callers named per failure kind (operation and error code) and day; the rest are counted. */
export const MAX_FAILURE_CALLERS = 50;
/** Far below DynamoDB's 400 KB item limit. */
export const USAGE_DAY_BUDGET_BYTES = 256 * 1024;

/** `callers` with `caller` added when there is room; otherwise the caller is counted in `callersOmitted`. */
export const withFailureCaller = (
  failure: Pick<FailureSummary, 'callers' | 'callersOmitted'> | undefined,
  caller: string,
): Pick<FailureSummary, 'callers' | 'callersOmitted'> => {
  const callers = failure?.callers ?? [];
  const omitted = failure?.callersOmitted ?? 0;
  if (callers.includes(caller)) return { callers, ...(omitted === 0 ? {} : { callersOmitted: omitted }) };
  if (callers.length >= MAX_FAILURE_CALLERS) return { callers, callersOmitted: omitted + 1 };
  return { callers: [...callers, caller].sort(), ...(omitted === 0 ? {} : { callersOmitted: omitted }) };
};

/** Folds two failures' callers (days of a summary), keeping the cap. */
export const mergeFailureCallers = (
  a: Pick<FailureSummary, 'callers' | 'callersOmitted'> | undefined,
  b: Pick<FailureSummary, 'callers' | 'callersOmitted'>,
): Pick<FailureSummary, 'callers' | 'callersOmitted'> => {
  let merged: Pick<FailureSummary, 'callers' | 'callersOmitted'> = { callers: a?.callers ?? [], callersOmitted: (a?.callersOmitted ?? 0) + (b.callersOmitted ?? 0) };
  for (const caller of b.callers) merged = withFailureCaller(merged, caller);
  return (merged.callersOmitted ?? 0) === 0 ? { callers: merged.callers } : merged;
};

interface BoundableDay {
  callers: Record<string, { readonly lastAt: string }>;
  failures: Record<string, FailureSummary>;
}

/**
 * When a bucket is over budget even with its caps (callers with very long ARNs), the least recent callers
 * go first, then failure callers are cut to a few. Mutates the working copy it is given.
 */
export const fitUsageDay = <T extends BoundableDay>(day: T, budget = USAGE_DAY_BUDGET_BYTES): T => {
  if (jsonBytes(day) <= budget) return day;
  const callers = Object.entries(day.callers).sort(([idA, a], [idB, b]) => b.lastAt.localeCompare(a.lastAt) || idA.localeCompare(idB));
  let keep = callers.length;
  while (keep > 0 && jsonBytes({ ...day, callers: Object.fromEntries(callers.slice(0, keep)) }) > budget) keep = Math.floor(keep / 2);
  day.callers = Object.fromEntries(callers.slice(0, keep));
  if (jsonBytes(day) <= budget) return day;
  day.failures = Object.fromEntries(
    Object.entries(day.failures).map(([key, failure]) => [
      key,
      { ...failure, callers: failure.callers.slice(0, 5), callersOmitted: (failure.callersOmitted ?? 0) + Math.max(0, failure.callers.length - 5) },
    ]),
  );
  return day;
};
