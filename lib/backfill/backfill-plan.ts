/**
 * A backfill request (the execution input) checked and completed: the range [since, until), the accounts and
 * Regions, the prefix to list. Invalid input fails the first step with the field named, before any listing.
 */
import { z } from 'zod';
import { BackfillInputError } from './errors.js';
import { isPrefixAboveDates } from './trail-object-key.js';

export interface BackfillPlan {
  /** The execution's name: owns the objects it records and names its summary. */
  readonly runId: string;
  readonly bucket: string;
  /** What the Map lists: the deployed prefix, or a narrower one above the date folders. */
  readonly prefix: string;
  readonly since: string;
  readonly until: string;
  /** Empty: every account (Region) under the prefix. */
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  /** Batches processed at once (the Map's MaxConcurrency). */
  readonly maxConcurrency: number;
}

export interface PlanContext {
  readonly runId: string;
  /** The execution's start; the default end of the range. */
  readonly startedAt: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly defaultConcurrency: number;
}

const DAY_MS = 86_400_000;
const list = (item: z.ZodString) =>
  z.union([z.array(item), z.string().transform((text) => text.split(',').map((part) => part.trim()).filter((part) => part !== ''))]).pipe(z.array(item));

const Request = z.strictObject({
  since: z.string({ error: 'missing: the start of the range (2026-08-01, an ISO time, or 90d)' }),
  until: z.string().optional(),
  accounts: list(z.string().regex(/^\d{12}$/, 'not a 12-digit account id')).optional(),
  regions: list(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'not a Region name')).optional(),
  prefix: z.string().optional(),
  maxConcurrency: z.number().int().min(1).max(1000).optional(),
});

export const planBackfill = (input: unknown, context: PlanContext): BackfillPlan => {
  const parsed = Request.safeParse(input ?? {});
  if (!parsed.success) throw new BackfillInputError(`backfill input: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
  const request = parsed.data;
  const now = Date.parse(context.startedAt);
  const since = instant(request.since, now, 'since');
  const until = request.until === undefined ? new Date(now).toISOString() : instant(request.until, now, 'until');
  if (since >= until) throw new BackfillInputError(`backfill input: since (${since}) must be before until (${until})`);
  if (Date.parse(since) > now) throw new BackfillInputError(`backfill input: since (${since}) is in the future`);
  const prefix = request.prefix ?? context.prefix;
  if (!prefix.startsWith(context.prefix)) {
    throw new BackfillInputError(`backfill input: prefix "${prefix}" is outside the deployed prefix "${context.prefix}"`);
  }
  if (!isPrefixAboveDates(prefix)) {
    throw new BackfillInputError(`backfill input: prefix "${prefix}" must end at or above the Region folder (…/AWSLogs/…/CloudTrail/<region>/)`);
  }
  return {
    runId: context.runId,
    bucket: context.bucket,
    prefix,
    since,
    until,
    accounts: [...new Set(request.accounts ?? [])].sort(),
    regions: [...new Set(request.regions ?? [])].sort(),
    maxConcurrency: request.maxConcurrency ?? context.defaultConcurrency,
  };
};

/** "2026-08-01", "2026-08-01T12:00:00Z" or "90d" (days before the execution started) as an ISO instant. */
const instant = (text: string, now: number, field: string): string => {
  const relative = /^(\d{1,4})d$/.exec(text);
  if (relative !== null) return new Date(now - Number(relative[1]) * DAY_MS).toISOString();
  const time = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(time)) throw new BackfillInputError(`backfill input: ${field}: not a date, an ISO time or a number of days like 90d: "${text}"`);
  return new Date(time).toISOString();
};
