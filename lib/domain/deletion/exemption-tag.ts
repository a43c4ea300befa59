/**
 * The exemption tag `kms-guard:allow-deletion=true`, and whether it can be trusted. Whoever may schedule a deletion
 * (key administrators, `kms:*`) may also tag the key, so the tag is a one-step bypass unless it was set well before
 * the scheduling (policy.exemptTagMinAgeHours) and by someone else. Its provenance comes from the store's record of
 * the TagResource (or CreateKey/ReplicateKey) call; KMS only says the tag is there now. A tag whose setting the guard
 * never saw (set before the guard watched, or its event lost) cannot be vouched for: re-apply it.
 */
import type { GuardPolicy } from '../guard-policy.js';
import { samePrincipal } from './principal.js';
import type { DeletionEvidence } from './evidence.js';

export const EXEMPT_TAG = 'kms-guard:allow-deletion';

const HOUR_MS = 3_600_000;

export type ExemptionStanding =
  | { readonly kind: 'absent' }
  | { readonly kind: 'trusted'; readonly facts: Readonly<Record<string, unknown>> }
  | { readonly kind: 'ignored'; readonly facts: Readonly<Record<string, unknown>> };

export const isExemptionValue = (value: string | undefined | null): boolean => value?.trim().toLowerCase() === 'true';

export const exemptionStanding = (evidence: DeletionEvidence, policy: Pick<GuardPolicy, 'exemptTagMinAgeHours'>): ExemptionStanding => {
  const value = evidence.tags[EXEMPT_TAG];
  if (!isExemptionValue(value)) return { kind: 'absent' };
  const tag = `${EXEMPT_TAG}=${value ?? ''}`;
  const set = evidence.exemptTagSet;
  const scheduledAt = evidence.scheduling?.scheduledAt;
  const scheduler = evidence.scheduling?.by;
  const minAgeHours = policy.exemptTagMinAgeHours;
  const ignored = (why: string, more: Record<string, unknown> = {}): ExemptionStanding => ({
    kind: 'ignored',
    facts: { tag, why, minAgeHours, ...(set === undefined ? {} : { setAt: set.at, ...(set.by === undefined ? {} : { setBy: set.by }) }), ...more },
  });
  if (set === undefined) return ignored('the guard never saw the tag being set (set before it watched the key, or the event was lost): re-apply it');
  if (scheduledAt === undefined || scheduler === undefined) return ignored('the scheduling is not known, so the tag cannot be compared with it');
  const ageHours = (Date.parse(scheduledAt) - Date.parse(set.at)) / HOUR_MS;
  if (!(ageHours >= minAgeHours)) {
    return ignored(`set ${Math.max(0, Math.round(ageHours * 10) / 10)} hours before the scheduling, less than ${minAgeHours}`, { setHoursBeforeScheduling: Math.round(ageHours * 10) / 10 });
  }
  if (set.by === undefined) return ignored('who set the tag is not known');
  if (samePrincipal(set.by, scheduler)) return ignored('set by the principal who scheduled the deletion', { scheduledBy: scheduler });
  return { kind: 'trusted', facts: { tag, setAt: set.at, setBy: set.by, setHoursBeforeScheduling: Math.round(ageHours * 10) / 10 } };
};
