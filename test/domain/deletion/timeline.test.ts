import { describe, expect, it } from 'vitest';
import { daysBetween, earliest, isDisabledFailure, isPendingDeletionFailure, latest } from '../../../lib/domain/deletion/timeline.js';

describe('the deletion timeline helpers', () => {
  const times = ['2025-03-01T00:00:00.000Z', '2024-12-31T23:59:59.000Z', undefined, '2025-06-01T00:00:00.000Z'];

  it('find the earliest and latest instants, skipping unknowns', () => {
    expect(earliest(...times)).toBe('2024-12-31T23:59:59.000Z');
    expect(latest(...times)).toBe('2025-06-01T00:00:00.000Z');
    expect(latest(undefined)).toBeUndefined();
  });

  it('count fractional days', () => {
    expect(daysBetween('2025-06-01T00:00:00.000Z', '2025-06-02T12:00:00.000Z')).toBe(1.5);
  });

  it('tell a refusal for pending deletion from one for a disabled key', () => {
    const pending = { errorCode: 'DisabledException', message: 'arn:aws:kms:us-east-1:111122223333:key/k is pending deletion.' };
    const disabled = { errorCode: 'DisabledException', message: 'arn:aws:kms:us-east-1:111122223333:key/k is disabled.' };
    expect([isPendingDeletionFailure(pending), isDisabledFailure(pending)]).toEqual([true, false]);
    expect([isPendingDeletionFailure(disabled), isDisabledFailure(disabled)]).toEqual([false, true]);
    expect(isPendingDeletionFailure({ errorCode: 'AccessDeniedException', message: 'x is pending deletion.' })).toBe(false);
  });
});
