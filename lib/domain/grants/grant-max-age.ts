/** The maximum age of a key's grants: the policy's, unless the key's tag sets its own. */
import type { GuardPolicy } from '../guard-policy.js';

export const GRANT_MAX_AGE_TAG = 'kms-guard:grant-max-age-days';

export interface GrantMaxAge {
  readonly days: number;
  /** "policy", or "tag kms-guard:grant-max-age-days". */
  readonly source: string;
  /** A tag value that could not be used, so the policy's value applies. */
  readonly ignoredTagValue?: string;
}

export const grantMaxAgeFor = (tags: Readonly<Record<string, string>>, policy: Pick<GuardPolicy, 'grantMaxAgeDays'>): GrantMaxAge => {
  const raw = tags[GRANT_MAX_AGE_TAG];
  if (raw === undefined) return { days: policy.grantMaxAgeDays, source: 'policy' };
  const days = Number(raw.trim());
  if (raw.trim() === '' || !Number.isSafeInteger(days) || days <= 0) {
    return { days: policy.grantMaxAgeDays, source: 'policy', ignoredTagValue: raw };
  }
  return { days, source: `tag ${GRANT_MAX_AGE_TAG}` };
};
