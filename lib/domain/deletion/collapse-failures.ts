/**
 * A flood of calls failing on one key pending deletion is one piece of evidence, not thousands: the earliest
 * failure stands for them, naming every distinct workload principal up to the failure-caller cap (usage-bounds.ts)
 * and counting the rest, so the evidence stays inside its size budget however many callers flood.
 */
import { MAX_FAILURE_CALLERS } from '../usage-bounds.js';
import { callerId, type KmsEvent } from '../kms-event.js';
import type { FailedUse } from './evidence.js';

export interface CollapsedFailures {
  /** The earliest failure: its eventId and time identify the evaluation. */
  readonly representative: KmsEvent;
  readonly failure: FailedUse;
}

/** `failures` are calls on the same key; at least one. */
export const collapseFailures = (failures: readonly KmsEvent[]): CollapsedFailures => {
  const ordered = [...failures].sort((a, b) => a.eventTime.localeCompare(b.eventTime) || a.eventId.localeCompare(b.eventId));
  const [representative] = ordered;
  if (representative === undefined) throw new RangeError('collapseFailures needs at least one failure');
  const callers = [...new Set(ordered.map((event) => callerId(event.caller)))].sort();
  const named = callers.slice(0, MAX_FAILURE_CALLERS);
  const omitted = callers.length - named.length;
  return {
    representative,
    failure: {
      at: representative.eventTime,
      operation: representative.eventName,
      errorCode: representative.error?.code ?? '',
      message: representative.error?.message ?? '',
      eventId: representative.eventId,
      callers: named,
      ...(omitted === 0 ? {} : { callersOmitted: omitted }),
      ...(ordered.length === 1 ? {} : { calls: ordered.length }),
    },
  };
};
