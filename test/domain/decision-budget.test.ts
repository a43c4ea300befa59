import { describe, expect, it } from 'vitest';
import { withinBudget } from '../../lib/domain/decision-budget.js';
import { toDecisionEventEntry } from '../../lib/domain/decision-events.js';
import type { Decision } from '../../lib/domain/model.js';
import { DECISION_BUDGET_BYTES, EVENTBRIDGE_EVENT_LIMIT_BYTES, jsonBytes } from '../../lib/domain/size-budget.js';

const decision = (evidence: Record<string, unknown>): Decision => ({
  decisionId: 'd-1',
  action: 'cancel-deletion',
  keyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  reasons: ['recent-use'],
  evidence,
  eventId: 'e-1',
  decidedAt: '2026-06-01T12:00:00.000Z',
  accountId: '111122223333',
  region: 'us-east-1',
  reEnable: true,
  dryRun: false,
});

describe('a decision within its size budget', () => {
  it('is left alone when it fits', () => {
    const small = decision({ trigger: 'schedule', topCallers: [] });
    expect(withinBudget(small)).toBe(small);
  });

  it('drops the bulkiest evidence first, says what it dropped, and fits an EventBridge event', () => {
    const huge = decision({ trigger: 'schedule', scheduledAt: '2026-06-01T12:00:00.000Z', reasons: { blob: 'x'.repeat(500_000) } });
    expect(jsonBytes(toDecisionEventEntry(huge))).toBeGreaterThan(EVENTBRIDGE_EVENT_LIMIT_BYTES);

    const bounded = withinBudget(huge);

    expect(jsonBytes(bounded)).toBeLessThanOrEqual(DECISION_BUDGET_BYTES);
    expect(bounded.evidence).toMatchObject({ trigger: 'schedule', scheduledAt: '2026-06-01T12:00:00.000Z' });
    expect(bounded.evidence.reasons).toBeUndefined();
    expect(bounded.evidence.evidenceTruncated).toMatchObject({ budgetBytes: DECISION_BUDGET_BYTES, droppedBytes: { reasons: expect.any(Number) } });
    expect({ ...bounded, evidence: undefined }).toEqual({ ...huge, evidence: undefined });
  });
});
