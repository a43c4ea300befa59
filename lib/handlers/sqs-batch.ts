/** The functions fed both by EventBridge (one event) and by an SQS event source (a batch) tell them apart here. */

/** An SQS event source batch rather than one EventBridge event (which never has top-level Records). */
export const isSqsBatch = (input: unknown): boolean =>
  typeof input === 'object' && input !== null && 'Records' in input && Array.isArray(input.Records);
