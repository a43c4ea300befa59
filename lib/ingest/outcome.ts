import type { KmsEvent } from '../domain/kms-event.js';
import { InvalidRecordError } from '../errors.js';

export type ParseOutcome =
  | { readonly kind: 'event'; readonly event: KmsEvent }
  /** Valid, but not a KMS/CloudHSM event: counted, not an error. */
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'rejected'; readonly error: InvalidRecordError };

/** Where a record came from: the file (or SQS message) and its position in it. */
export interface RecordOrigin {
  readonly source: string;
  readonly index: number | undefined;
}

export const accepted = (event: KmsEvent): ParseOutcome => ({ kind: 'event', event });

export const skipped = (reason: string): ParseOutcome => ({ kind: 'skipped', reason });

export const rejected = (origin: RecordOrigin, reason: string, cause?: unknown): ParseOutcome => ({
  kind: 'rejected',
  error: new InvalidRecordError(origin.source, origin.index, reason, cause === undefined ? undefined : { cause }),
});
