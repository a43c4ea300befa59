/** What can go wrong in a backfill. Retryable errors leave progress checkpointed: Step Functions retries the batch. */
import { KmsGuardError } from '../errors.js';

/** An object that cannot be read as it is (missing, access denied): retrying will not help. */
export class TrailObjectUnreadableError extends KmsGuardError {
  constructor(
    readonly key: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`s3 object ${key}: ${reason}`, options);
  }
}

/** The batch stopped before its end (time budget, a store that kept failing, an object another run holds). */
export class BackfillRetryableError extends KmsGuardError {}

/** The execution input is not a backfill request: names the field. */
export class BackfillInputError extends KmsGuardError {}
