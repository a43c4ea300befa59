/**
 * One event as a sorted run holds it: where it was read (the file's index in the replay's file list and the
 * record's position), the functions it reaches (routed once, where it was parsed) and the event.
 *
 * Most events are usage only (a Decrypt the usage tracker records, nothing else reads): such an event travels as a
 * short line of references into its reader thread's tables (callers, keys, names), since only its id, time, key,
 * operation, caller and error make usage. Every other event travels whole.
 */
import { grantChange } from '../domain/grant-ledger.js';
import { isLifecycleEvent } from '../domain/key-state.js';
import type { Caller, CallError, KmsEvent } from '../domain/kms-event.js';
import type { FunctionName } from '../routing.js';
import { compareEvents } from './time-order.js';

export interface RunItem {
  readonly file: number;
  /** The record's position in its file, from 1 (readInputs' index). */
  readonly index: number | undefined;
  readonly targets: readonly FunctionName[];
  readonly event: KmsEvent;
}

/** The request and response of a usage-only event: nothing reads them, so they are not carried. */
export const NOT_CARRIED: Readonly<Record<string, unknown>> = Object.freeze({});

const USAGE_ONLY: readonly FunctionName[] = Object.freeze(['usage-tracker']);

type UsageLine = [tag: 0, file: number, index: number, time: string, id: string, refs: number[]];
type WholeLine = [tag: 1, file: number, index: number | null, targets: readonly FunctionName[], event: KmsEvent];

/** What a reader thread's usage lines refer to; sent to the main thread with its runs. */
export interface RunTables {
  readonly strings: readonly string[];
  readonly callers: readonly Caller[];
  readonly errors: readonly CallError[];
}

export class RunEncoder {
  private readonly strings = new Map<string, number>();
  private readonly callers = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  private readonly tables = { strings: [] as string[], callers: [] as Caller[], errors: [] as CallError[] };

  encode(item: RunItem): string {
    const { event, targets } = item;
    const usageOnly = targets.length === 1 && targets[0] === 'usage-tracker' && !isLifecycleEvent(event) && grantChange(event) === undefined;
    if (!usageOnly || item.index === undefined) return JSON.stringify([1, item.file, item.index ?? null, targets, event] satisfies WholeLine);
    const refs = [
      this.string(event.eventName),
      this.string(event.eventSource),
      event.category === 'api-call' ? 0 : 1,
      this.string(event.region),
      this.string(event.accountId),
      this.caller(event.caller),
      event.error === undefined ? -1 : this.error(event.error),
      ...event.keyArns.map((keyArn) => this.string(keyArn)),
    ];
    return JSON.stringify([0, item.file, item.index, event.eventTime, event.eventId, refs] satisfies UsageLine);
  }

  get table(): RunTables {
    return this.tables;
  }

  private string(text: string): number {
    return ref(this.strings, text, text, this.tables.strings);
  }

  private caller(caller: Caller): number {
    return ref(this.callers, `${caller.principal}\n${caller.principalType}\n${caller.service ?? ''}\n${caller.invokedBy ?? ''}`, caller, this.tables.callers);
  }

  private error(error: CallError): number {
    return ref(this.errors, `${error.code}\n${error.message}`, error, this.tables.errors);
  }
}

const ref = <T>(known: Map<string, number>, key: string, value: T, table: T[]): number => {
  let index = known.get(key);
  if (index === undefined) {
    index = table.length;
    table.push(value);
    known.set(key, index);
  }
  return index;
};

/** Decodes the lines of one reader thread's runs; the events it returns share their strings and callers. */
export class RunDecoder {
  private readonly keyLists = new Map<number, readonly string[]>();

  constructor(private readonly tables: RunTables) {}

  decode(line: string): RunItem {
    const parsed = JSON.parse(line) as UsageLine | WholeLine;
    if (parsed[0] === 1) return { file: parsed[1], index: parsed[2] ?? undefined, targets: parsed[3], event: parsed[4] };
    const [, file, index, eventTime, eventId, refs] = parsed;
    const { strings, callers, errors } = this.tables;
    const [name = 0, source = 0, category = 0, region = 0, account = 0, caller = 0, error = -1] = refs;
    const keyArns = refs.length === 8 ? this.keyList(refs[7] ?? 0) : refs.slice(7).map((key) => strings[key] ?? '');
    const callError = error < 0 ? undefined : errors[error];
    const event: KmsEvent = {
      eventId,
      eventTime,
      eventName: strings[name] ?? '',
      eventSource: strings[source] ?? '',
      category: category === 0 ? 'api-call' : 'service-event',
      region: strings[region] ?? '',
      accountId: strings[account] ?? '',
      keyArns,
      caller: callers[caller] ?? { principal: 'unknown', principalType: 'Unknown' },
      ...(callError === undefined ? {} : { error: callError }),
      requestParameters: NOT_CARRIED,
      responseElements: NOT_CARRIED,
      additionalEventData: NOT_CARRIED,
    };
    return { file, index, targets: USAGE_ONLY, event };
  }

  private keyList(key: number): readonly string[] {
    let list = this.keyLists.get(key);
    if (list === undefined) {
      list = Object.freeze([this.tables.strings[key] ?? '']);
      this.keyLists.set(key, list);
    }
    return list;
  }
}

/**
 * Time order, ties broken by eventId (compareEvents), then by where the event was read, so that duplicates read from
 * several files are replayed in the same order on every run, whichever thread read them first.
 */
export const compareRunItems = (a: RunItem, b: RunItem): number =>
  compareEvents(a.event, b.event) || a.file - b.file || (a.index ?? 0) - (b.index ?? 0);

/** compareRunItems as one string: eventTime is always 24 characters, file and index are padded. */
export const sortKey = (item: RunItem): string =>
  `${item.event.eventTime}${item.event.eventId}\u0000${String(item.file).padStart(9, '0')}${String(item.index ?? 0).padStart(12, '0')}`;

/** How a person finds the record: "line 3" in JSON Lines, "record 3" in a JSON document. */
export const positionIn = (source: string, index: number | undefined): string | undefined =>
  index === undefined ? undefined : `${/\.jsonl(\.gz)?$/i.test(source) ? 'line' : 'record'} ${index}`;
