import { describe, expect, it } from 'vitest';
import { EXEMPT_TAG } from '../../../lib/domain/deletion/exemption-tag.js';
import { decideDeletion } from '../../../lib/domain/deletion/decide.js';
import {
  ALICE,
  DISABLED_MESSAGE,
  KEY_ARN,
  NOW,
  PENDING_MESSAGE,
  POLICY,
  daysAgo,
  evidence,
  failure,
  grant,
  transition,
  usedDaysAgo,
} from './fixtures.js';

const LATER = new Date(NOW.getTime() + 3_600_000);
/** A Decrypt that failed half an hour after the key was scheduled (at NOW). */
const pendingFailure = failure(-1 / 48, 'KMSInvalidStateException', PENDING_MESSAGE);
const KEY_OWNER = 'arn:aws:iam::111122223333:role/key-owner';
/** The exemption tag as the store saw it set: three weeks before the scheduling, by the key's owner (not the scheduler). */
const trustedTag = (value: string) => ({ tags: { [EXEMPT_TAG]: value }, exemptTagSet: { at: daysAgo(21), by: KEY_OWNER } });
const ebsGrant = grant({ granteePrincipal: 'arn:aws:iam::111122223333:role/aws:ec2-infrastructure', retiringPrincipal: 'ec2.us-east-1.amazonaws.com' });
const disabledFor = (days: number) => [transition(400, 'Enabled', 'CreateKey'), transition(days, 'Disabled', 'DisableKey')];

describe('decideDeletion', () => {
  describe('rule 1: a cryptographic call failed because the key is pending deletion', () => {
    it('cancels the deletion and re-enables a key that was Enabled', () => {
      const verdict = decideDeletion(evidence({ failures: [pendingFailure] }), POLICY, LATER);
      expect(verdict).toMatchObject({ action: 'cancel-deletion', reEnable: true });
      expect(verdict.reasons[0]).toBe('use-while-pending-deletion');
      expect(verdict.facts['use-while-pending-deletion']).toMatchObject({ operation: 'Decrypt', errorCode: 'KMSInvalidStateException' });
    });

    it('counts a DisabledException whose message says the key is pending deletion', () => {
      const verdict = decideDeletion(evidence({ failures: [failure(-1 / 48, 'DisabledException', PENDING_MESSAGE)] }), POLICY, LATER);
      expect(verdict.reasons[0]).toBe('use-while-pending-deletion');
    });

    it('beats the exempt tag, which is still reported', () => {
      const verdict = decideDeletion(evidence({ failures: [pendingFailure], ...trustedTag('true') }), POLICY, LATER);
      expect(verdict.action).toBe('cancel-deletion');
      expect(verdict.reasons.slice(0, 2)).toEqual(['use-while-pending-deletion', 'exempt-tag']);
    });

    it('ignores a failure from an earlier scheduling', () => {
      const earlier = failure(30, 'KMSInvalidStateException', PENDING_MESSAGE);
      const verdict = decideDeletion(evidence({ failures: [earlier] }), POLICY, LATER);
      expect(verdict.reasons).not.toContain('use-while-pending-deletion');
    });

    it('counts a CreateGrant EC2 made for a volume or an instance: on a pending key no Decrypt ever follows', () => {
      const createGrant = failure(-1 / 48, 'KMSInvalidStateException', PENDING_MESSAGE, 'CreateGrant');
      const verdict = decideDeletion(evidence({ failures: [createGrant] }), POLICY, LATER);
      expect(verdict).toMatchObject({ action: 'cancel-deletion', reasons: ['use-while-pending-deletion', 'no-recorded-use'] });
    });

    it('counts the "is pending replica deletion." variant of a multi-Region primary', () => {
      const replica = failure(-1 / 48, 'KMSInvalidStateException', `${KEY_ARN} is pending replica deletion.`);
      expect(decideDeletion(evidence({ failures: [replica] }), POLICY, LATER).reasons[0]).toBe('use-while-pending-deletion');
    });

    it('names 20 callers and counts the others, including those the store only counted', () => {
      const flood = { ...pendingFailure, callers: Array.from({ length: 45 }, (_, index) => `arn:aws:iam::111122223333:role/w-${index}`), callersOmitted: 5_000 };
      const facts = decideDeletion(evidence({ failures: [flood] }), POLICY, LATER).facts['use-while-pending-deletion'];
      expect(facts).toMatchObject({ callersOmitted: 25 + 5_000 });
      expect(facts?.callers).toHaveLength(20);
    });

    it('ignores a refused call that is not cryptographic', () => {
      const enableKey = failure(-1 / 48, 'KMSInvalidStateException', PENDING_MESSAGE, 'EnableKey');
      const verdict = decideDeletion(evidence({ failures: [enableKey] }), POLICY, LATER);
      expect(verdict.reasons).not.toContain('use-while-pending-deletion');
    });
  });

  describe('rule 2: exemptions', () => {
    it('allows deletion of a key tagged kms-guard:allow-deletion=true weeks before, by someone other than the scheduler', () => {
      const verdict = decideDeletion(evidence({ ...trustedTag('TRUE'), ...usedDaysAgo(5) }), POLICY, NOW);
      expect(verdict.action).toBe('allow-deletion');
      expect(verdict.reasons).toEqual(['exempt-tag', 'recent-use']);
      expect(verdict.facts['exempt-tag']).toMatchObject({ setBy: KEY_OWNER, setHoursBeforeScheduling: 21 * 24 });
      expect(verdict.reEnable).toBeUndefined();
    });

    it('does not exempt a key whose tag says false', () => {
      const verdict = decideDeletion(evidence({ ...trustedTag('false'), ...usedDaysAgo(5) }), POLICY, NOW);
      expect(verdict.action).toBe('cancel-deletion');
      expect(verdict.reasons).not.toContain('exempt-tag-ignored');
    });

    it.each([
      ['set by the scheduler minutes before', { at: daysAgo(10 / 1440), by: ALICE }, /hours before the scheduling, less than 24/],
      ['set by someone else an hour before', { at: daysAgo(1 / 24), by: KEY_OWNER }, /set 1 hours before the scheduling, less than 24/],
      ['set weeks before, but by the scheduler', { at: daysAgo(21), by: ALICE }, /set by the principal who scheduled the deletion/],
      ['set weeks before by someone unknown', { at: daysAgo(21) }, /who set the tag is not known/],
      ['never seen being set', undefined, /never saw the tag being set/],
    ])('ignores the tag %s, and judges the key on its evidence', (_what, set, why) => {
      const verdict = decideDeletion(evidence({ tags: { [EXEMPT_TAG]: 'true' }, ...(set === undefined ? {} : { exemptTagSet: set }), ...usedDaysAgo(5) }), POLICY, NOW);
      expect(verdict.action).toBe('cancel-deletion');
      expect(verdict.reasons).toEqual(['recent-use', 'exempt-tag-ignored']);
      expect(String(verdict.facts['exempt-tag-ignored']?.why)).toMatch(why);
    });

    it('counts the tag from the configured age on', () => {
      const set = { at: daysAgo(3 / 24), by: KEY_OWNER };
      const policy = { ...POLICY, exemptTagMinAgeHours: 2 };
      expect(decideDeletion(evidence({ tags: { [EXEMPT_TAG]: 'true' }, exemptTagSet: set, ...usedDaysAgo(5) }), policy, NOW).reasons[0]).toBe('exempt-tag');
    });

    it('allows deletion scheduled by an exempt role, comparing the role and not the session', () => {
      const deployer = 'arn:aws:sts::111122223333:assumed-role/deployer/ci-session-42';
      const policy = { ...POLICY, exemptPrincipals: ['arn:aws:iam::111122223333:role/pipelines/deployer'] };
      const base = evidence(usedDaysAgo(5));
      const verdict = decideDeletion({ ...base, scheduling: { ...base.scheduling, by: deployer } }, policy, NOW);
      expect(verdict.action).toBe('allow-deletion');
      expect(verdict.reasons[0]).toBe('exempt-principal');
    });

    it('does not exempt a principal that is not listed', () => {
      const policy = { ...POLICY, exemptPrincipals: ['arn:aws:iam::111122223333:role/deployer'] };
      const verdict = decideDeletion(evidence(usedDaysAgo(5)), policy, NOW);
      expect(verdict.reasons).not.toContain('exempt-principal');
    });

    it('beats an AWS-service grant', () => {
      const verdict = decideDeletion(evidence({ ...trustedTag('true'), activeGrants: [ebsGrant] }), POLICY, NOW);
      expect(verdict.action).toBe('allow-deletion');
      expect(verdict.reasons.slice(0, 2)).toEqual(['exempt-tag', 'aws-service-grant']);
    });
  });

  describe('rule 3: a call failed on the key while it was disabled before scheduling', () => {
    it('cancels without re-enabling, even with recent use', () => {
      const input = evidence({ ...usedDaysAgo(30), failures: [failure(5, 'DisabledException', DISABLED_MESSAGE)] }, disabledFor(20));
      const verdict = decideDeletion(input, POLICY, NOW);
      expect(verdict).toMatchObject({ action: 'cancel-deletion', reEnable: false });
      expect(verdict.reasons).toEqual(['use-while-disabled', 'recent-use']);
    });

    it('does not apply when the history says the key was Enabled when scheduled', () => {
      const input = evidence({ ...usedDaysAgo(3), failures: [failure(50, 'DisabledException', DISABLED_MESSAGE)] }, [
        transition(400, 'Enabled', 'CreateKey'),
        transition(60, 'Disabled', 'DisableKey'),
        transition(40, 'Enabled', 'EnableKey'),
      ]);
      const verdict = decideDeletion(input, POLICY, NOW);
      expect(verdict.reasons).toEqual(['recent-use']);
      expect(verdict.reEnable).toBe(true);
    });

    it('does not count a failure from an earlier disabled period', () => {
      const input = evidence({ ...usedDaysAgo(200), failures: [failure(300, 'DisabledException', DISABLED_MESSAGE)] }, disabledFor(20));
      expect(decideDeletion(input, POLICY, NOW).reasons).not.toContain('use-while-disabled');
    });
  });

  describe('rule 4: an AWS service holds a grant', () => {
    it('cancels for an EBS volume grant and names the grant', () => {
      const verdict = decideDeletion(evidence({ activeGrants: [ebsGrant] }), POLICY, NOW);
      expect(verdict.action).toBe('cancel-deletion');
      expect(verdict.reasons[0]).toBe('aws-service-grant');
      expect(verdict.facts['aws-service-grant']).toMatchObject({ grants: [{ grantId: 'grant-1' }] });
    });

    it('cancels for a grant that may be a service’s: found by ListGrants, with a service as its retiring principal', () => {
      const discovered = grant({ grantId: 'grant-2', granteePrincipal: 'arn:aws:iam::111122223333:role/app', retiringPrincipal: 'rds.us-east-1.amazonaws.com', source: 'list-grants' });
      const verdict = decideDeletion(evidence({ activeGrants: [discovered] }), POLICY, NOW);
      expect(verdict.reasons[0]).toBe('aws-service-grant');
      expect(verdict.facts['aws-service-grant']).toMatchObject({ grants: [{ grantId: 'grant-2', possible: true }], possibleServiceGrants: 1 });
    });

    it('does not cancel for a grant made service-looking by its creator, whose CreateGrant the guard saw', () => {
      const seen = grant({ grantId: 'grant-3', granteePrincipal: 'arn:aws:iam::111122223333:role/app', retiringPrincipal: 'ec2.us-east-1.amazonaws.com', source: 'cloudtrail', createEventId: 'create-3', createdBy: 'arn:aws:iam::111122223333:role/app' });
      expect(decideDeletion(evidence({ activeGrants: [seen] }), POLICY, NOW).reasons).not.toContain('aws-service-grant');
    });

    it('ignores a grant to an ordinary role', () => {
      const roleGrant = grant({ granteePrincipal: 'arn:aws:iam::111122223333:role/app' });
      const verdict = decideDeletion(evidence({ activeGrants: [roleGrant] }), POLICY, NOW);
      expect(verdict.reasons).not.toContain('aws-service-grant');
    });
  });

  describe('rule 5: disabled for the observation period without failed use', () => {
    it('allows deletion after 14 days disabled', () => {
      const verdict = decideDeletion(evidence(usedDaysAgo(200), disabledFor(14)), POLICY, NOW);
      expect(verdict.action).toBe('allow-deletion');
      expect(verdict.reasons).toEqual(['disabled-without-failures', 'old-use']);
      expect(verdict.facts['disabled-without-failures']).toMatchObject({ disabledSince: daysAgo(14), disabledDays: 14 });
    });

    it('does not apply after 13 days', () => {
      const verdict = decideDeletion(evidence(usedDaysAgo(200), disabledFor(13)), POLICY, NOW);
      expect(verdict.action).toBe('alert');
      expect(verdict.reasons).toEqual(['old-use']);
    });

    it('does not apply after 20 days when a call failed 3 days ago', () => {
      const input = evidence({ ...usedDaysAgo(200), failures: [failure(3, 'DisabledException', DISABLED_MESSAGE)] }, disabledFor(20));
      const verdict = decideDeletion(input, POLICY, NOW);
      expect(verdict.reasons).not.toContain('disabled-without-failures');
      expect(verdict.action).toBe('cancel-deletion');
    });

    it('does not apply when any usage call failed while disabled, whatever the error', () => {
      const input = evidence({ ...usedDaysAgo(200), failures: [failure(3, 'AccessDeniedException', 'not authorized')] }, disabledFor(20));
      expect(decideDeletion(input, POLICY, NOW).reasons).toEqual(['old-use']);
    });
  });

  describe('rules 6 and 8: recent and old use', () => {
    it('cancels for a use 89 days ago', () => {
      const verdict = decideDeletion(evidence(usedDaysAgo(89)), POLICY, NOW);
      expect(verdict).toMatchObject({ action: 'cancel-deletion', reasons: ['recent-use'], reEnable: true });
      expect(verdict.facts['recent-use']).toMatchObject({ daysAgo: 89, operation: 'Decrypt', by: 'arn:aws:iam::111122223333:role/app' });
    });

    it('alerts for a use 91 days ago', () => {
      const verdict = decideDeletion(evidence(usedDaysAgo(91)), POLICY, NOW);
      expect(verdict).toMatchObject({ action: 'alert', reasons: ['old-use'] });
    });

    it('judges recency at the scheduling: a use 85 days before it stays recent at a sweep 20 days later', () => {
      const later = new Date(NOW.getTime() + 20 * 86_400_000);
      const verdict = decideDeletion(evidence(usedDaysAgo(85)), POLICY, later);
      expect(verdict).toMatchObject({ action: 'cancel-deletion', reasons: ['recent-use'] });
      expect(verdict.facts['recent-use']).toMatchObject({ daysAgo: 85 });
    });

    it('judges at the earliest possible scheduling when only the deletion date is known', () => {
      const scheduling = { deletionDate: new Date(NOW.getTime() + 7 * 86_400_000).toISOString() };
      const later = new Date(NOW.getTime() + 6 * 86_400_000);
      // 23 days before the deletion date minus KMS's longest window (30 days) is 85 days after the use.
      const verdict = decideDeletion(evidence({ ...usedDaysAgo(108), scheduling }), POLICY, later);
      expect(verdict.reasons[0]).toBe('recent-use');
    });
  });

  describe('rule 7: the public key of an asymmetric key was exported', () => {
    const exportFacts = (keyUsage: string) => ({
      keySpec: 'RSA_2048',
      keyUsage,
      publicKeyExportedAt: daysAgo(200),
      lastUse: { at: daysAgo(200), operation: 'GetPublicKey', source: 'store' as const },
    });
    const exported = (keyUsage: string) => evidence(exportFacts(keyUsage));

    it('cancels for an ENCRYPT_DECRYPT key', () => {
      const verdict = decideDeletion(exported('ENCRYPT_DECRYPT'), POLICY, NOW);
      expect(verdict.action).toBe('cancel-deletion');
      expect(verdict.reasons).toEqual(['public-key-exported', 'old-use']);
    });

    it('alerts for a SIGN_VERIFY key', () => {
      const verdict = decideDeletion(exported('SIGN_VERIFY'), POLICY, NOW);
      expect(verdict).toMatchObject({ action: 'alert', reasons: ['public-key-exported', 'old-use'] });
    });

    it('comes before disabled-without-failures for an ENCRYPT_DECRYPT key: disabling proves nothing for ciphertexts made outside KMS', () => {
      const verdict = decideDeletion(evidence(exportFacts('ENCRYPT_DECRYPT'), disabledFor(20)), POLICY, NOW);
      expect(verdict).toMatchObject({ action: 'cancel-deletion', reEnable: false });
      expect(verdict.reasons).toEqual(['public-key-exported', 'disabled-without-failures', 'old-use']);
    });

    it('lets disabled-without-failures decide for a SIGN_VERIFY key: outside verification survives the deletion', () => {
      expect(decideDeletion(evidence(exportFacts('SIGN_VERIFY'), disabledFor(20)), POLICY, NOW)).toMatchObject({ action: 'allow-deletion', reasons: ['disabled-without-failures', 'public-key-exported', 'old-use'] });
    });

    it('does not apply to a symmetric key', () => {
      const input = { ...exported('ENCRYPT_DECRYPT'), keySpec: 'SYMMETRIC_DEFAULT' };
      expect(decideDeletion(input, POLICY, NOW).reasons).toEqual(['old-use']);
    });
  });

  describe('rule 9: no recorded use', () => {
    it('allows deletion of a key watched for a full window', () => {
      const verdict = decideDeletion(evidence(), POLICY, NOW);
      expect(verdict).toMatchObject({ action: 'allow-deletion', reasons: ['no-recorded-use'] });
    });

    it('alerts when the key was watched for only 30 days', () => {
      const verdict = decideDeletion(evidence({ usageCoverage: { watchedSince: daysAgo(30), lastUsageEventAt: daysAgo(0.1) } }), POLICY, NOW);
      expect(verdict).toMatchObject({ action: 'alert', reasons: ['insufficient-history'] });
      expect(verdict.facts['insufficient-history']).toMatchObject({ watchedDays: 30, requiredDays: 90 });
    });

    it('alerts for a key created 30 days ago, however long its account was watched', () => {
      const verdict = decideDeletion(evidence({ createdAt: daysAgo(30) }), POLICY, NOW);
      expect(verdict).toMatchObject({ action: 'alert', reasons: ['insufficient-history'] });
      expect(verdict.facts['insufficient-history']).toMatchObject({ watchedSince: daysAgo(30), watchedDays: 30 });
    });

    it('allows a key created after the store began watching, once a full window has passed', () => {
      const verdict = decideDeletion(evidence({ createdAt: daysAgo(120) }), POLICY, NOW);
      expect(verdict).toMatchObject({ action: 'allow-deletion', reasons: ['no-recorded-use'] });
      expect(verdict.facts['no-recorded-use']).toMatchObject({ watchedSince: daysAgo(120), watchedBy: 'store' });
    });

    it('says so when neither the store nor KMS knows the key', () => {
      const input = evidence({ sources: [], usageCoverage: { watchedSince: NOW.toISOString(), lastUsageEventAt: NOW.toISOString() } }, []);
      expect(decideDeletion(input, POLICY, NOW).reasons).toEqual(['insufficient-history', 'no-evidence']);
    });

    it('alerts when no read-only event has arrived for the account and Region: absence of use proves nothing', () => {
      const verdict = decideDeletion(evidence({ usageCoverage: undefined }), POLICY, NOW);
      expect(verdict).toMatchObject({ action: 'alert', reasons: ['usage-events-unverified'] });
      expect(verdict.facts['usage-events-unverified']).toMatchObject({ lastUsageEventAt: null, heartbeatHours: 6 });
    });

    it('alerts when the heartbeat is older than usageHeartbeatHours before the scheduling', () => {
      const stale = evidence({ usageCoverage: { watchedSince: daysAgo(400), lastUsageEventAt: daysAgo(7 / 24) } });
      expect(decideDeletion(stale, POLICY, NOW).reasons).toEqual(['usage-events-unverified']);
      const fresh = evidence({ usageCoverage: { watchedSince: daysAgo(400), lastUsageEventAt: daysAgo(5 / 24) } });
      expect(decideDeletion(fresh, POLICY, NOW).reasons).toEqual(['no-recorded-use']);
    });

    it("trusts KMS's own usage tracking without a heartbeat", () => {
      const verdict = decideDeletion(evidence({ usageCoverage: undefined, kmsTrackingSince: daysAgo(200) }), POLICY, NOW);
      expect(verdict).toMatchObject({ action: 'allow-deletion', reasons: ['no-recorded-use'] });
      expect(verdict.facts['no-recorded-use']).toMatchObject({ watchedBy: 'kms', kmsTrackingSince: daysAgo(200) });
    });

    it('judges the window at the scheduling, so a later sweep reaches the same verdict', () => {
      const input = evidence({ usageCoverage: { watchedSince: daysAgo(60), lastUsageEventAt: daysAgo(0.1) } });
      const muchLater = new Date(NOW.getTime() + 40 * 86_400_000);
      expect(decideDeletion(input, POLICY, muchLater).reasons).toEqual(['insufficient-history']);
    });
  });

  describe('rule 4: an AWS service holds a grant', () => {
    it('names 20 of 1,200 EBS grants and counts the rest, so the decision stays small', () => {
      const grants = Array.from({ length: 1_200 }, (_, index) => ({ ...ebsGrant, grantId: `${index}`.padStart(64, '0') }));
      const verdict = decideDeletion(evidence({ activeGrants: grants }), POLICY, NOW);
      expect(verdict).toMatchObject({ action: 'cancel-deletion', reasons: ['aws-service-grant', 'no-recorded-use'] });
      expect(verdict.facts['aws-service-grant']).toMatchObject({ serviceGrants: 1_200, grantsOmitted: 1_180 });
      expect(JSON.stringify(verdict.facts).length).toBeLessThan(16 * 1024);
    });
  });

  describe('modifiers', () => {
    it('adds pending-replica-deletion without changing the action', () => {
      const verdict = decideDeletion(evidence({ ...usedDaysAgo(5), currentState: 'PendingReplicaDeletion', multiRegionKeyType: 'PRIMARY' }), POLICY, NOW);
      expect(verdict).toMatchObject({ action: 'cancel-deletion', reasons: ['recent-use', 'pending-replica-deletion'] });
    });

    it('adds custom-key-store for keys in CloudHSM or an external key store', () => {
      for (const keyStore of [{ origin: 'AWS_CLOUDHSM' }, { origin: 'EXTERNAL_KEY_STORE' }, { customKeyStoreId: 'cks-1234567890abcdef0' }]) {
        const verdict = decideDeletion(evidence(keyStore), POLICY, NOW);
        expect(verdict).toMatchObject({ action: 'allow-deletion', reasons: ['no-recorded-use', 'custom-key-store'] });
      }
    });
  });

  describe('reEnable', () => {
    it('is false when the history says the key was Disabled', () => {
      const input = evidence(usedDaysAgo(3), [transition(400, 'Enabled', 'CreateKey'), transition(2, 'Disabled', 'DisableKey')]);
      const verdict = decideDeletion(input, POLICY, NOW);
      expect(verdict).toMatchObject({ action: 'cancel-deletion', reEnable: false, priorState: { state: 'Disabled', source: 'history' } });
    });

    it('is false for a DisableKey in the same second as the scheduling, whatever order equal timestamps sort in', () => {
      const sameSecond = { at: NOW.toISOString(), state: 'Disabled' as const, eventId: 'zzzz-sorts-after-the-scheduling', eventName: 'DisableKey' };
      const input = evidence({ ...usedDaysAgo(3), history: [transition(400, 'Enabled', 'CreateKey'), ...evidence().history, sameSecond] });
      const verdict = decideDeletion(input, POLICY, NOW);
      expect(verdict).toMatchObject({ action: 'cancel-deletion', reEnable: false, priorState: { state: 'Disabled', source: 'history' } });
    });

    it('is unknown when an EnableKey and a DisableKey share the scheduling\'s second', () => {
      const at = NOW.toISOString();
      const input = evidence(usedDaysAgo(3), [
        transition(400, 'Disabled', 'CreateKey'),
        { at, state: 'Enabled', eventId: 'e-1', eventName: 'EnableKey' },
        { at, state: 'Disabled', eventId: 'e-2', eventName: 'DisableKey' },
      ]);
      const verdict = decideDeletion(input, POLICY, NOW);
      expect(verdict).toMatchObject({ reEnable: false, priorState: { source: 'unknown' } });
      expect(verdict.reasons).toContain('prior-state-unknown');
    });

    it('is inferred true from a use the store saw when the history starts at the scheduling', () => {
      const verdict = decideDeletion(evidence({ ...usedDaysAgo(10), storeWatchedSince: daysAgo(20) }, []), POLICY, NOW);
      expect(verdict).toMatchObject({ reEnable: true, priorState: { state: 'Enabled', source: 'inferred-from-use', at: daysAgo(10) } });
      expect(verdict.reasons).toEqual(['recent-use']);
    });

    it('is unknown, false and flagged when only KMS saw a use, before the store watched', () => {
      const kmsUse = { at: daysAgo(10), operation: 'Decrypt', source: 'kms' as const };
      const input = evidence({ lastCryptographicUse: kmsUse, lastUse: kmsUse, cryptographicUses: [kmsUse], storeWatchedSince: daysAgo(1), sources: ['kms'] }, []);
      const verdict = decideDeletion(input, POLICY, NOW);
      expect(verdict).toMatchObject({ action: 'cancel-deletion', reEnable: false, priorState: { source: 'unknown' } });
      expect(verdict.reasons).toEqual(['recent-use', 'prior-state-unknown']);
    });

    it('is inferred false from a DisabledException after the last use', () => {
      const input = evidence({ ...usedDaysAgo(10), storeWatchedSince: daysAgo(20), failures: [failure(4, 'DisabledException', DISABLED_MESSAGE)] }, []);
      const verdict = decideDeletion(input, POLICY, NOW);
      expect(verdict.priorState).toMatchObject({ state: 'Disabled', source: 'inferred-from-failure' });
      expect(verdict).toMatchObject({ action: 'cancel-deletion', reEnable: false, reasons: ['use-while-disabled', 'recent-use'] });
    });

    it('only counts uses after the last known unusable state', () => {
      const input = evidence({ ...usedDaysAgo(10), storeWatchedSince: daysAgo(400) }, [
        transition(400, 'Enabled', 'CreateKey'),
        transition(5, 'PendingDeletion', 'ScheduleKeyDeletion'),
      ]);
      const verdict = decideDeletion(input, POLICY, NOW);
      expect(verdict.priorState.source).toBe('unknown');
      expect(verdict.reasons).toContain('prior-state-unknown');
    });

    it('is unknown for a scheduling KMS no longer holds: a person cancelled and scheduled again', () => {
      const verdict = decideDeletion(evidence({ ...usedDaysAgo(3), supersededBy: { deletionDate: daysAgo(-20) } }), POLICY, NOW);
      expect(verdict).toMatchObject({ action: 'cancel-deletion', reEnable: false, priorState: { source: 'unknown' } });
    });

    it('is absent on alerts and allowances', () => {
      expect(decideDeletion(evidence(usedDaysAgo(200)), POLICY, NOW).reEnable).toBeUndefined();
      expect(decideDeletion(evidence({ sources: [] }), POLICY, NOW).reasons).not.toContain('prior-state-unknown');
    });
  });

  it('names who scheduled the deletion when an exemption matched', () => {
    const policy = { ...POLICY, exemptPrincipals: [ALICE] };
    expect(decideDeletion(evidence(), policy, NOW).facts['exempt-principal']).toEqual({ scheduledBy: ALICE, exemptPrincipal: ALICE });
  });
});
