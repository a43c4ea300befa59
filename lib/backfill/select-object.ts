/**
 * Whether a listed object is read: a log file of a requested account and Region, delivered from the first day
 * of the range to a day after its end (CloudTrail delivers an event after it happened, never before, so a
 * file delivered before `since` holds nothing from the range).
 */
import type { BackfillPlan } from './backfill-plan.js';
import { parseTrailObjectKey, scopeOf } from './trail-object-key.js';

export type Selection =
  | { readonly selected: true; readonly scope: string }
  | { readonly selected: false; readonly reason: SkipReason; readonly scope?: string };

export type SkipReason = 'digest file' | 'Insights file' | 'not a CloudTrail log file' | 'account or Region not requested' | 'outside the range';

/** Late deliveries: events of the range's last hours may arrive in files of the next day. */
const DELIVERY_MARGIN_DAYS = 1;

export const selectObject = (plan: BackfillPlan, key: string): Selection => {
  const parsed = parseTrailObjectKey(key);
  if (parsed.kind === 'digest') return { selected: false, reason: 'digest file' };
  if (parsed.kind === 'insight') return { selected: false, reason: 'Insights file' };
  const { accountId, region, day } = parsed;
  if (parsed.kind !== 'log' || accountId === undefined || region === undefined || day === undefined) {
    return { selected: false, reason: 'not a CloudTrail log file' };
  }
  const scope = scopeOf(accountId, region);
  if ((plan.accounts.length > 0 && !plan.accounts.includes(accountId)) || (plan.regions.length > 0 && !plan.regions.includes(region))) {
    return { selected: false, reason: 'account or Region not requested', scope };
  }
  const lastDay = new Date(Date.parse(plan.until) + DELIVERY_MARGIN_DAYS * 86_400_000).toISOString().slice(0, 10);
  if (day < plan.since.slice(0, 10) || day > lastDay) return { selected: false, reason: 'outside the range', scope };
  return { selected: true, scope };
};
