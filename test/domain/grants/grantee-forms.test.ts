/**
 * Every grantee form AWS produces × every operation a grant can allow, from CloudTrail records in the key owner's
 * trail through the ingest boundary and the usage record to the verdict. Each grant is 200 days old (max age 90,
 * recent-use window 30) and was created by role/Admin, seen in CloudTrail.
 */
import { describe, expect, it } from 'vitest';
import type { GrantVerdict } from '../../../lib/domain/grants/evaluate-grant.js';
import { GRANT_OPERATION_TRACES } from '../../../lib/domain/grants/grant-operations.js';
import { callRecord, daysAgo, FORMS, verdictOf } from './grant-world.js';

const TRACKED = Object.keys(GRANT_OPERATION_TRACES);
/** Operations the SDK lets a grant allow that no CloudTrail use of a key records yet: never judged stale. */
const UNTRACKED = ['Encapsulate', 'Decapsulate'];

describe.each(FORMS)('a grant to a $form', (form) => {
  const expectedWhen = (used: boolean, operation: string): GrantVerdict['kind'] => {
    if (form.awsService) return 'service-grant';
    if (UNTRACKED.includes(operation)) return 'keep';
    return used ? 'keep' : 'revoke';
  };

  it.each([...TRACKED, ...UNTRACKED])('allowing %s is kept while its grantee calls it every day', (operation) => {
    const daily = [3, 2, 1].map((days, index) => callRecord(operation, form.grantee, daysAgo(days), index));
    expect(verdictOf(form, operation, daily)).toBe(expectedWhen(true, operation));
  });

  it.each([...TRACKED, ...UNTRACKED])('allowing %s is revoked when its grantee last called it 40 days ago', (operation) => {
    expect(verdictOf(form, operation, [callRecord(operation, form.grantee, daysAgo(40), 0)])).toBe(expectedWhen(false, operation));
  });

  it.each(TRACKED)('allowing %s is revoked when only someone else calls it', (operation) => {
    const strangers = [2, 1].map((days, index) => callRecord(operation, form.stranger, daysAgo(days), index));
    expect(verdictOf(form, operation, strangers)).toBe(expectedWhen(false, operation));
  });
});
