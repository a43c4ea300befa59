/** toIsoTime's shortcut for CloudTrail's own time format must agree with `new Date(x).toISOString()`. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toIsoTime } from '../../lib/ingest/event-time.js';

const viaDate = (text: string): string | undefined => {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
};
const pad = (value: number, width = 2) => String(value).padStart(width, '0');

describe('toIsoTime', () => {
  it('agrees with Date for any "YYYY-MM-DDThh:mm:ssZ", including impossible days and hours', () => {
    const fields = fc.tuple(
      fc.integer({ min: 1970, max: 2100 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 25 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 60 }),
    );
    fc.assert(
      fc.property(fields, ([year, month, day, hour, minute, second]) => {
        const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}Z`;
        expect(toIsoTime(text)).toBe(viaDate(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('keeps milliseconds and converts offsets to UTC', () => {
    expect(toIsoTime('2025-03-05T21:19:44.123456789Z')).toBe('2025-03-05T21:19:44.123Z');
    expect(toIsoTime('2024-10-14T16:25:29+02:00')).toBe('2024-10-14T14:25:29.000Z');
  });

  it('reads a time without a zone as UTC, with or without the "T"', () => {
    expect(toIsoTime('2025-03-05 21:19:44.000000000')).toBe('2025-03-05T21:19:44.000Z');
    expect(toIsoTime('2024-01-01T00:00')).toBe('2024-01-01T00:00:00.000Z');
  });

  it('refuses what is not an ISO-8601 date, even where Date would guess', () => {
    expect(toIsoTime('Oct 21, 2024, 2:25:29 PM')).toBeUndefined();
    expect(toIsoTime('1729520729')).toBeUndefined();
    expect(toIsoTime('2024-13-01T00:00:00Z')).toBeUndefined();
  });
});
