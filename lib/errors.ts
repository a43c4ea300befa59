/** One base error with a name and a cause; subclasses carry what they concern. */
export class KmsGuardError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Input that is not a KMS event we understand: says which source, which record and which field. `position` is
 * how a person finds the record: "record 3" (the third in a JSON document, counting from 1) or "line 3" (JSON Lines).
 */
export class InvalidRecordError extends KmsGuardError {
  constructor(
    readonly source: string,
    readonly position: string | undefined,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${source}${position === undefined ? '' : ` ${position}`}: ${reason}`, options);
  }
}

export class ConfigError extends KmsGuardError {}

export class KeyNotFoundError extends KmsGuardError {
  constructor(readonly keyArn: string, options?: ErrorOptions) {
    super(`KMS key not found: ${keyArn}`, options);
  }
}

/** A store write that still failed after retries; names the keys whose events were not recorded. */
export class StoreWriteError extends KmsGuardError {
  constructor(readonly keyArns: readonly string[], options?: ErrorOptions) {
    super(`could not record events for ${keyArns.length} key(s): ${keyArns.join(', ')}`, options);
  }
}
