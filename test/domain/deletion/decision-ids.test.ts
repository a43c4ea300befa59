import { describe, expect, it } from 'vitest';
import { pendingUseDecisionId, reminderDecisionId, scheduleDecisionId, sweepDecisionId } from '../../../lib/domain/deletion/decision-ids.js';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const scheduling = { eventId: 'e-1', scheduledAt: '2026-06-01T12:00:00.000Z', deletionDate: '2026-06-08T12:00:00.000Z' };

describe('deletion decision ids', () => {
  it('keep a dry-run decision apart from the enforce one, so it never stands in for it', () => {
    for (const id of [
      (dryRun: boolean) => scheduleDecisionId('e-1', dryRun),
      (dryRun: boolean) => pendingUseDecisionId(KEY, scheduling, dryRun),
      (dryRun: boolean) => sweepDecisionId(KEY, scheduling, 'cancel-deletion', dryRun),
      (dryRun: boolean) => reminderDecisionId(KEY, scheduling.deletionDate, 7, dryRun),
    ]) {
      expect(id(true)).toBe(`${id(false)}#dry-run`);
    }
  });

  it('key the scheduling decision on its CloudTrail eventID', () => {
    expect(scheduleDecisionId('e-1', false)).toBe('e-1');
    expect(pendingUseDecisionId(KEY, scheduling, false)).toBe(`pending-use#${KEY}#e-1`);
    expect(sweepDecisionId(KEY, { deletionDate: scheduling.deletionDate }, 'alert', false)).toBe(`sweep#${KEY}#2026-06-08T12:00:00.000Z#alert`);
  });
});
