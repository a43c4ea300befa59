import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideDeletion } from '../../../lib/domain/deletion/decide.js';
import type { DeletionEvidence } from '../../../lib/domain/deletion/evidence.js';
import { DISABLED_MESSAGE, NOW, PENDING_MESSAGE, POLICY, daysAgo, evidence, failure, grant, transition, usedDaysAgo } from './fixtures.js';

const arbitraryEvidence: fc.Arbitrary<DeletionEvidence> = fc
  .record({
    usedDaysAgo: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
    publicKeyDaysAgo: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
    keySpec: fc.constantFrom('SYMMETRIC_DEFAULT', 'RSA_2048', 'ECC_NIST_P256', 'HMAC_256', undefined),
    keyUsage: fc.constantFrom('ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT', undefined),
    disabledDaysAgo: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
    historyKnown: fc.boolean(),
    failures: fc.array(
      fc.record({
        days: fc.integer({ min: -2, max: 100 }),
        kind: fc.constantFrom('pending', 'disabled', 'denied'),
      }),
      { maxLength: 3 },
    ),
    exemptTag: fc.boolean(),
    serviceGrant: fc.boolean(),
    watchedDays: fc.integer({ min: 0, max: 400 }),
    replica: fc.boolean(),
  })
  .map((facts) => {
    const history = !facts.historyKnown
      ? []
      : facts.disabledDaysAgo === undefined
        ? [transition(400, 'Enabled', 'CreateKey')]
        : [transition(400, 'Enabled', 'CreateKey'), transition(facts.disabledDaysAgo, 'Disabled', 'DisableKey')];
    const messages = { pending: ['KMSInvalidStateException', PENDING_MESSAGE], disabled: ['DisabledException', DISABLED_MESSAGE], denied: ['AccessDeniedException', 'denied'] } as const;
    return evidence(
      {
        ...(facts.usedDaysAgo === undefined ? {} : usedDaysAgo(facts.usedDaysAgo)),
        ...(facts.publicKeyDaysAgo === undefined
          ? {}
          : { publicKeyExportedAt: daysAgo(facts.publicKeyDaysAgo), lastUse: { at: daysAgo(Math.min(facts.publicKeyDaysAgo, facts.usedDaysAgo ?? 999)), source: 'store' as const } }),
        keySpec: facts.keySpec,
        keyUsage: facts.keyUsage,
        failures: facts.failures.map(({ days, kind }) => failure(days, messages[kind][0], messages[kind][1])),
        tags: facts.exemptTag ? { 'kms-guard:allow-deletion': 'true' } : {},
        activeGrants: facts.serviceGrant ? [grant({ granteePrincipal: 'rds.us-east-1.amazonaws.com' })] : [],
        watchedSince: daysAgo(facts.watchedDays),
        storeWatchedSince: daysAgo(facts.watchedDays),
        currentState: facts.replica ? 'PendingReplicaDeletion' : 'PendingDeletion',
      },
      history,
    );
  });

const LATER = new Date(NOW.getTime() + 3 * 86_400_000);

describe('decideDeletion, for any evidence', () => {
  it('always reaches a decision, reports each reason once and takes the action of the decisive one', () => {
    fc.assert(
      fc.property(arbitraryEvidence, (input) => {
        const verdict = decideDeletion(input, POLICY, LATER);
        expect(verdict.reasons).not.toContain('undecided');
        expect(new Set(verdict.reasons).size).toBe(verdict.reasons.length);
        const decisive = verdict.reasons[0];
        if (decisive === 'use-while-pending-deletion' || decisive === 'use-while-disabled' || decisive === 'aws-service-grant' || decisive === 'recent-use') {
          expect(verdict.action).toBe('cancel-deletion');
        }
        if (decisive === 'exempt-tag' || decisive === 'disabled-without-failures' || decisive === 'no-recorded-use') expect(verdict.action).toBe('allow-deletion');
        if (decisive === 'old-use' || decisive === 'insufficient-history') expect(verdict.action).toBe('alert');
      }),
    );
  });

  it('re-enables only a key that was Enabled, never after use while disabled, and says so only on cancellations', () => {
    fc.assert(
      fc.property(arbitraryEvidence, (input) => {
        const verdict = decideDeletion(input, POLICY, LATER);
        if (verdict.action !== 'cancel-deletion') {
          expect(verdict.reEnable).toBeUndefined();
          return;
        }
        expect(typeof verdict.reEnable).toBe('boolean');
        if (verdict.reEnable === true) {
          expect(verdict.priorState.state).toBe('Enabled');
          expect(verdict.reasons).not.toContain('use-while-disabled');
        }
      }),
    );
  });
});
