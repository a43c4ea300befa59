/**
 * Safety of grant expiry for generated grants and histories: any grantee form, operations, age, TTL, key state,
 * service-looking fields chosen by the creator, and calls by the grantee or a stranger at any time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../lib/config.js';
import { evaluateGrant, type GrantVerdict } from '../../../lib/domain/grants/evaluate-grant.js';
import { GRANT_OPERATION_TRACES, traceOf } from '../../../lib/domain/grants/grant-operations.js';
import type { GrantRecord } from '../../../lib/domain/model.js';
import { callRecord, daysAgo, FORMS, grantOf, NOW, usageOf } from './grant-world.js';

const TRACKED = Object.keys(GRANT_OPERATION_TRACES);

const world = fc.record({
  form: fc.integer({ min: 0, max: FORMS.length - 1 }),
  operations: fc.uniqueArray(fc.constantFrom(...TRACKED), { minLength: 1, maxLength: 4 }),
  ageDays: fc.integer({ min: 0, max: 400 }),
  ttlDays: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
  keyState: fc.constantFrom('Enabled', 'Enabled', 'Enabled', 'Disabled', 'PendingDeletion', 'Unknown'),
  retiringService: fc.constantFrom(undefined, 'rds.us-east-1.amazonaws.com', 'ec2.us-east-1.amazonaws.com'),
  awsConstraint: fc.boolean(),
  calls: fc.array(
    fc.record({ byGrantee: fc.boolean(), operation: fc.constantFrom(...TRACKED), daysAgo: fc.integer({ min: 0, max: 120 }) }),
    { maxLength: 6 },
  ),
});
type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

const grantIn = (w: World, withCreatorsChoices = true): GrantRecord => {
  const form = FORMS[w.form] ?? FORMS[0];
  if (form === undefined) throw new Error('no grantee forms');
  return {
    ...grantOf(form, w.operations[0] ?? 'Decrypt'),
    operations: w.operations,
    createdAt: daysAgo(w.ageDays),
    ...(w.ttlDays === undefined ? {} : { name: `job/kms-guard:ttl:${w.ttlDays}d` }),
    ...(withCreatorsChoices && w.retiringService !== undefined ? { retiringPrincipal: w.retiringService } : {}),
    ...(withCreatorsChoices && w.awsConstraint ? { constraints: { encryptionContextSubset: { 'aws:ebs:id': 'vol-0abc' } } } : {}),
  };
};

const verdictIn = (w: World, grant: GrantRecord): GrantVerdict => {
  const form = FORMS[w.form] ?? FORMS[0];
  const records = w.calls.map((call, index) => callRecord(call.operation, call.byGrantee ? (form?.grantee ?? {}) : (form?.stranger ?? {}), daysAgo(call.daysAgo), index));
  return evaluateGrant(grant, { key: { keyManager: 'CUSTOMER', aliases: [], tags: {}, keyState: w.keyState }, usage: usageOf(records), policy: DEFAULT_POLICY }, NOW);
};

/** The spec: the grantee exercised one of the grant's operations (ReEncrypt counts for ReEncryptFrom and ReEncryptTo) in the window. */
const granteeUsedItRecently = (w: World): boolean =>
  w.calls.some(
    (call) =>
      call.byGrantee &&
      call.daysAgo <= DEFAULT_POLICY.grantRecentUseDays &&
      w.operations.some((operation) => traceOf(operation)?.eventName === traceOf(call.operation)?.eventName),
  );

const RUNS = { seed: 1212, numRuns: 300, interruptAfterTimeLimit: 20_000 };

describe('evaluateGrant, for any grantee form, operations, age, key state and history', () => {
  it('never revokes a grant on a key that is not Enabled, nor an AWS service’s grant', () => {
    fc.assert(
      fc.property(world, (w) => {
        const verdict = verdictIn(w, grantIn(w));
        if (w.keyState !== 'Enabled') expect(verdict.kind).toBe('key-not-enabled');
        else if (FORMS[w.form]?.awsService === true) expect(verdict.kind).toBe('service-grant');
      }),
      RUNS,
    );
  });

  it('never calls a grant stale when its grantee used one of its operations in the window, or when it is young', () => {
    fc.assert(
      fc.property(world, (w) => {
        const verdict = verdictIn(w, grantIn(w));
        const stale = verdict.kind === 'revoke' && verdict.reasons.includes('stale-grant');
        if (granteeUsedItRecently(w) || w.ageDays <= DEFAULT_POLICY.grantMaxAgeDays) expect(stale).toBe(false);
      }),
      RUNS,
    );
  });

  it('gives the same verdict with or without a service retiring principal and aws:* constraints (the creator’s choices)', () => {
    fc.assert(
      fc.property(world, (w) => {
        const withChoices = verdictIn(w, grantIn(w, true));
        const without = verdictIn(w, grantIn(w, false));
        expect(withChoices.kind).toBe(without.kind);
        if (withChoices.kind === 'revoke' && without.kind === 'revoke') expect(withChoices.reasons).toEqual(without.reasons);
      }),
      RUNS,
    );
  });

  it('revokes a grant whose own TTL has passed on an Enabled key, unless an AWS service holds it', () => {
    fc.assert(
      fc.property(world, (w) => {
        fc.pre(w.keyState === 'Enabled' && w.ttlDays !== undefined && w.ageDays >= w.ttlDays && FORMS[w.form]?.awsService !== true);
        expect(verdictIn(w, grantIn(w))).toMatchObject({ kind: 'revoke', reasons: expect.arrayContaining(['grant-ttl-expired']) });
      }),
      RUNS,
    );
  });
});
