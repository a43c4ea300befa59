/**
 * CloudTrail writes some dates as locale strings, not ISO: ScheduleKeyDeletion's deletionDate is
 * "Oct 21, 2024, 2:25:29 PM" (and, in AWS's own docs, "Apr 12, 2021 18:58:30 PM"). All are UTC.
 */
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const LOCALE_DATE = /^([A-Za-z]{3})[a-z]*\.? (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?$/i;

/** ISO-8601 UTC for an ISO string, epoch milliseconds, or CloudTrail's locale format; undefined otherwise. */
export const parseCloudTrailDate = (value: unknown): string | undefined => {
  if (typeof value === 'number') return Number.isFinite(value) ? toIso(new Date(value)) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const locale = LOCALE_DATE.exec(text);
  if (locale !== null) return fromLocale(locale);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  // CloudTrail's times are UTC; a zoneless one must not be read in the machine's time zone.
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) || !text.includes(':') ? text : `${text.replace(' ', 'T')}Z`;
  return toIso(new Date(zoned));
};

const fromLocale = ([, monthName = '', day = '', year = '', hour = '', minute = '', second = '0', meridiem]: RegExpExecArray) => {
  const month = MONTHS.indexOf(monthName.toLowerCase());
  if (month < 0) return undefined;
  let hours = Number(hour);
  // "18:58:30 PM" already is a 24-hour time; only 1–12 is shifted.
  if (meridiem?.toUpperCase() === 'PM' && hours < 12) hours += 12;
  if (meridiem?.toUpperCase() === 'AM' && hours === 12) hours = 0;
  if (hours > 23) return undefined;
  return toIso(new Date(Date.UTC(Number(year), month, Number(day), hours, Number(minute), Number(second))));
};

const toIso = (date: Date): string | undefined => (Number.isNaN(date.getTime()) ? undefined : date.toISOString());
