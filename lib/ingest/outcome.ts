import type { KmsEvent } from '../domain/kms-event.js';
import { InvalidRecordError } from '../errors.js';

export type ParseOutcome =
  | { readonly kind: 'event'; readonly event: KmsEvent }
  /** Valid, but not a KMS/CloudHSM event: counted, not an error. */
  | { readonly kind: 'skipped'; readonly reason: string; readonly category: SkipCategory }
  | { readonly kind: 'rejected'; readonly error: InvalidRecordError };

/** Where a record came from: the file (or SQS message) and its position in it. */
export interface RecordOrigin {
  readonly source: string;
  /** 1-based: the record's number in a JSON document, or its line in JSON Lines; undefined for the source as a whole. */
  readonly index: number | undefined;
  /** How the position is counted; "record" unless the source is JSON Lines. */
  readonly unit?: 'record' | 'line';
}

export const positionOf = (origin: RecordOrigin): string | undefined =>
  origin.index === undefined ? undefined : `${origin.unit ?? 'record'} ${origin.index}`;

export const accepted = (event: KmsEvent): ParseOutcome => ({ kind: 'event', event });

/**
 * Why valid input holds no event for the guard: another service's record, or the files CloudTrail writes beside
 * its logs (integrity digests, Insights events).
 */
export type SkipCategory = 'not-kms' | 'cloudtrail-digest' | 'cloudtrail-insight';

export const skipped = (reason: string, category: SkipCategory = 'not-kms'): ParseOutcome => ({ kind: 'skipped', reason, category });

export const rejected = (origin: RecordOrigin, reason: string, cause?: unknown): ParseOutcome => ({
  kind: 'rejected',
  error: new InvalidRecordError(origin.source, positionOf(origin), reason, cause === undefined ? undefined : { cause }),
});
