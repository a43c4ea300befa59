/** Times in the histories, counted back from SCENARIO_NOW, written as CloudTrail writes them. */
import { SCENARIO_NOW } from './ids.js';

const DAY_MS = 86_400_000;
const NOW_MS = Date.parse(SCENARIO_NOW);

/** `days` calendar days before --now, at a UTC time of day: "2026-11-17T09:14:05Z" (CloudTrail has no milliseconds). */
export const daysBefore = (days: number, timeOfDay = '12:00:00'): string => {
  const date = new Date(NOW_MS - days * DAY_MS).toISOString().slice(0, 10);
  return `${date}T${timeOfDay}Z`;
};

export const plusSeconds = (iso: string, seconds: number): string => toCloudTrail(Date.parse(iso) + seconds * 1000);
export const plusMinutes = (iso: string, minutes: number): string => plusSeconds(iso, minutes * 60);
export const plusDays = (iso: string, days: number): string => toCloudTrail(Date.parse(iso) + days * DAY_MS);

const toCloudTrail = (epochMs: number): string => `${new Date(epochMs).toISOString().slice(0, 19)}Z`;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** KMS's locale form in responseElements (deletionDate, creationDate): "Dec 6, 2026, 2:25:29 PM". */
export const localeDate = (iso: string): string => {
  const date = new Date(iso);
  const hours = date.getUTCHours();
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}, ` +
    `${hour12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`
  );
};
