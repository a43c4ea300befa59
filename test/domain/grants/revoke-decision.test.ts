import { describe, expect, it } from 'vitest';
import { buildRevokeDecision, grantSweepEventId } from '../../../lib/domain/grants/revoke-decision.js';
import type { GrantRecord } from '../../../lib/domain/model.js';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const grant: GrantRecord = {
  grantId: 'g1',
  keyArn: KEY_ARN,
  operations: ['Decrypt'],
  createdAt: '2025-01-01T00:00:00.000Z',
  status: 'active',
  source: 'cloudtrail',
};

describe('buildRevokeDecision', () => {
  it('keys the decision on the key and grant, and the trigger on the hour', () => {
    const now = new Date('2026-06-01T12:34:56.789Z');
    const decision = buildRevokeDecision(grant, { reasons: ['stale-grant'], evidence: { ageDays: 516 } }, now, false);
    expect(decision).toEqual({
      decisionId: `revoke#${KEY_ARN}#g1`,
      action: 'revoke-grant',
      keyArn: KEY_ARN,
      grantId: 'g1',
      reasons: ['stale-grant'],
      evidence: { ageDays: 516 },
      eventId: 'grant-sweep#2026-06-01T12',
      decidedAt: '2026-06-01T12:34:56.789Z',
      accountId: '111122223333',
      region: 'eu-west-1',
      dryRun: false,
    });
  });

  it('gives a dry-run decision its own id, so that it never stands in for the real revoke', () => {
    const now = new Date('2026-06-01T12:00:00.000Z');
    expect(buildRevokeDecision(grant, { reasons: ['stale-grant'], evidence: {} }, now, true).decisionId).toBe(`revoke#${KEY_ARN}#g1#dry-run`);
  });
});

describe('grantSweepEventId', () => {
  it('is the same throughout an hour and changes with the next', () => {
    expect(grantSweepEventId(new Date('2026-06-01T12:00:00.000Z'))).toBe(grantSweepEventId(new Date('2026-06-01T12:59:59.999Z')));
    expect(grantSweepEventId(new Date('2026-06-01T13:00:00.000Z'))).toBe('grant-sweep#2026-06-01T13');
  });
});
