/** Event times: CloudTrail writes ISO-8601 UTC, and the model keeps `new Date(x).toISOString()` of it. */

/** CloudTrail writes eventTime in ISO-8601 UTC; some exports drop the "T" and the "Z" but it is still UTC. */
const ZONELESS_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
/** CloudTrail's own form, "2024-10-14T14:25:29Z": most records, so it skips the (slow) Date round trip. */
const CLOUDTRAIL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export const toIsoTime = (value: string): string | undefined => {
  const text = value.trim();
  if (isValidCloudTrailTime(text)) return `${text.slice(0, 19)}.000Z`;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  // Without a zone, Date would read local time.
  const date = new Date(ZONELESS_TIME.test(text) ? `${text.replace(' ', 'T')}Z` : text);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
};

/** In CloudTrail's form and a real instant (Date would roll "02-30" over to March; the slow path does that). */
const isValidCloudTrailTime = (text: string): boolean => {
  const match = CLOUDTRAIL_TIME.exec(text);
  if (match === null) return false;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  return days !== undefined && day >= 1 && day <= days && hour <= 23 && minute <= 59 && second <= 59;
};
