import { describe, expect, it } from 'vitest';
import { parseCloudTrailDate } from '../../lib/domain/cloudtrail-date.js';

describe('parseCloudTrailDate', () => {
  it.each([
    ['Oct 21, 2024, 2:25:29 PM', '2024-10-21T14:25:29.000Z'],
    ['Apr 12, 2021 18:58:30 PM', '2021-04-12T18:58:30.000Z'],
    ['Jan 1, 2025, 12:05:00 AM', '2025-01-01T00:05:00.000Z'],
    ['Jan 1, 2025, 12:05:00 PM', '2025-01-01T12:05:00.000Z'],
    ['2024-10-21T14:25:29Z', '2024-10-21T14:25:29.000Z'],
    ['2025-03-05 21:19:44', '2025-03-05T21:19:44.000Z'],
    ['2025-03-05T21:19:44+01:00', '2025-03-05T20:19:44.000Z'],
  ])('reads %s as %s', (input, expected) => {
    expect(parseCloudTrailDate(input)).toBe(expected);
  });

  it.each([['yesterday'], ['Foo 21, 2024, 2:25:29 PM'], [''], [null], [{}]])('rejects %j', (input) => {
    expect(parseCloudTrailDate(input)).toBeUndefined();
  });
});
