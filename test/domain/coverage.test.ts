import { describe, expect, it } from 'vitest';
import { usageArrivals } from '../../lib/domain/coverage.js';
import { failed, keyArn, kmsEvent } from './usage-test-events.js';

const KEY = keyArn('coverage');

describe('what a batch says about coverage', () => {
  it('takes the earliest and latest read-only event per account and Region, failures included', () => {
    const arrivals = usageArrivals([
      kmsEvent('Decrypt', KEY, '2026-05-01T10:00:00.000Z'),
      kmsEvent('DescribeKey', KEY, '2026-05-01T12:00:00.000Z'),
      failed('Encrypt', KEY, '2026-05-01T09:00:00.000Z', 'AccessDeniedException', 'no'),
      kmsEvent('Decrypt', KEY, '2026-05-01T11:00:00.000Z', { accountId: '444455556666', region: 'eu-west-1' }),
    ]);

    expect(arrivals).toEqual([
      { accountId: '111122223333', region: 'us-east-1', earliest: '2026-05-01T09:00:00.000Z', latest: '2026-05-01T12:00:00.000Z', events: 3 },
      { accountId: '444455556666', region: 'eu-west-1', earliest: '2026-05-01T11:00:00.000Z', latest: '2026-05-01T11:00:00.000Z', events: 1 },
    ]);
  });

  it('ignores write events: a trail without read-only events still delivers ScheduleKeyDeletion', () => {
    expect(usageArrivals([kmsEvent('ScheduleKeyDeletion', KEY, '2026-05-01T10:00:00.000Z'), kmsEvent('DisableKey', KEY, '2026-05-01T10:00:00.000Z')])).toEqual([]);
  });
});
