/**
 * Successful calls a grant may allow that are not use of the key: DescribeKey, CreateGrant and RetireGrant.
 * Each key has one small record of who last made them (per caller and operation), kept apart from its usage,
 * so that the grant expirer can see a grantee exercise such a grant. Nothing that judges whether a key is
 * needed (last use, use counts, callers, watched-since, the deletion rules) reads it.
 * Order-safe and idempotent by construction: every entry keeps the latest call, whatever the arrival order.
 */
import { callerId, type KmsEvent } from './kms-event.js';
import type { NonUseCall } from './model.js';

export const NON_USE_OPERATIONS: ReadonlySet<string> = new Set(['DescribeKey', 'CreateGrant', 'RetireGrant']);
/** Bounds the record (a key described by very many principals); the least recent go first. */
export const MAX_NON_USE_CALLS = 200;

export interface NonUseCallRecord {
  readonly keyArn: string;
  /** Keyed "<caller id>|<operation>". */
  readonly calls: Readonly<Record<string, NonUseCall>>;
}

export const isNonUseCall = (event: KmsEvent): boolean => event.error === undefined && NON_USE_OPERATIONS.has(event.eventName);

/** The keys whose record an event updates: each key it names, for a successful non-use call. */
export const nonUseCallKeys = (event: KmsEvent): readonly string[] => (isNonUseCall(event) ? [...new Set(event.keyArns)] : []);

/** Applies one event to the record of `keyArn`; an event that is no non-use call, or an older call, changes nothing. */
export const applyNonUseCall = (stored: NonUseCallRecord | undefined, keyArn: string, event: KmsEvent): NonUseCallRecord => {
  const record = stored ?? { keyArn, calls: {} };
  if (!isNonUseCall(event) || !event.keyArns.includes(keyArn)) return record;
  const id = `${callerId(event.caller)}|${event.eventName}`;
  const known = record.calls[id];
  if (known !== undefined && !isLater(event.eventTime, event.eventId, known.lastAt, known.lastEventId)) return record;
  const call: NonUseCall = {
    principal: event.caller.principal,
    ...(event.caller.service === undefined ? {} : { service: event.caller.service }),
    operation: event.eventName,
    lastAt: event.eventTime,
    lastEventId: event.eventId,
  };
  return { keyArn, calls: bounded({ ...record.calls, [id]: call }) };
};

/** The record's calls, most recent first. */
export const listNonUseCalls = (record: NonUseCallRecord | undefined): NonUseCall[] =>
  Object.entries(record?.calls ?? {})
    .sort(([idA, a], [idB, b]) => b.lastAt.localeCompare(a.lastAt) || idA.localeCompare(idB))
    .map(([, call]) => call);

const bounded = (calls: Record<string, NonUseCall>): Record<string, NonUseCall> => {
  const entries = Object.entries(calls);
  if (entries.length <= MAX_NON_USE_CALLS) return calls;
  entries.sort(([idA, a], [idB, b]) => b.lastAt.localeCompare(a.lastAt) || idA.localeCompare(idB));
  return Object.fromEntries(entries.slice(0, MAX_NON_USE_CALLS));
};

const isLater = (at: string, eventId: string, otherAt: string, otherEventId: string): boolean =>
  at > otherAt || (at === otherAt && eventId > otherEventId);
