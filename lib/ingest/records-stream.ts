/**
 * Streams a CloudTrail log document ({"Records":[…]}, gzipped or not) a record at a time, in bounded memory:
 * a byte scanner tracks depth and strings, holds one record's bytes at a time and hands each to parseRecord
 * with its position counted from 1 ("record 3"), so a rejection names the object, the record and the field as
 * read-inputs does. Also reads a top-level array of records, and a document without Records as one record (1).
 * A digest file (digestStartTime / logFiles) and an Insights record (eventType AwsCloudTrailInsight) are
 * skipped with a reason, never rejected. Content faults (not JSON, truncated, broken gzip, a record over
 * `maxRecordBytes`) are rejections; an I/O error of the byte source is thrown, so a caller can retry it.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { rejected, skipped, type ParseOutcome } from './outcome.js';
import { parseRecord, parseSqsBody } from './parse-record.js';
import { printable } from './printable.js';
import type { InputRecord } from './read-inputs.js';
import { isPlainObject } from './schemas.js';

export interface RecordsStreamOptions {
  /** A record (or a document without Records) larger than this is rejected without being held. Default 8 MiB. */
  readonly maxRecordBytes?: number;
  /** Filled in as the stream is read: the most bytes held at once (one record's). */
  readonly stats?: { maxBufferedBytes: number };
}

export const DEFAULT_MAX_RECORD_BYTES = 8 * 1024 * 1024;
const DIGEST_KEYS: ReadonlySet<string> = new Set(['digestStartTime', 'logFiles']);
const DIGEST_REASON = 'CloudTrail digest file (digestStartTime, logFiles), not a log of events';
const INSIGHT_EVENT_TYPE = 'AwsCloudTrailInsight';

/** Yields every record of the document read from `body`. `source` names it in outcomes (an S3 URI, a path). */
export async function* readLogRecords(
  source: string,
  body: AsyncIterable<Uint8Array>,
  options: RecordsStreamOptions = {},
): AsyncGenerator<InputRecord> {
  const scanner = new DocumentScanner(options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES, options.stats);
  const chunks = decompressed(body);
  try {
    for await (const chunk of chunks) {
      for (const piece of scanner.push(chunk)) yield outcomeOf(source, piece);
      if (scanner.failed) return;
    }
  } catch (error) {
    if (!isZlibDataError(error)) throw error;
    for (const piece of scanner.fail(`not a valid gzip file: ${(error as Error).message}`)) yield outcomeOf(source, piece);
    return;
  }
  for (const piece of scanner.end()) yield outcomeOf(source, piece);
}

/** What the scanner finds: one record's text, or a verdict on a record or on the document. */
type Piece =
  | { readonly kind: 'record'; readonly index: number; readonly text: string }
  | { readonly kind: 'document'; readonly text: string }
  | { readonly kind: 'rejected'; readonly index: number | undefined; readonly reason: string }
  | { readonly kind: 'skipped'; readonly reason: string };

/** The scanner counts elements from 0; people (and InputRecord.index) count records from 1. */
const outcomeOf = (source: string, piece: Piece): InputRecord => {
  switch (piece.kind) {
    case 'record':
      return { source, index: piece.index + 1, outcome: parseElement(piece.text, source, piece.index + 1) };
    case 'document': {
      // The file as a whole when it is not JSON or is a digest; else its one record.
      const outcome = parseDocument(piece.text, source);
      const whole = outcome.kind === 'rejected' ? outcome.error.position === undefined : outcome.kind === 'skipped' && outcome.category === 'cloudtrail-digest';
      return { source, index: whole ? undefined : 1, outcome };
    }
    case 'rejected': {
      const position = piece.index === undefined ? undefined : piece.index + 1;
      return { source, index: position, outcome: rejected({ source, index: position }, printable(piece.reason)) };
    }
    case 'skipped':
      return { source, index: undefined, outcome: skipped(piece.reason, 'cloudtrail-digest') };
  }
};

const parseJson = (text: string, source: string, index: number | undefined): { value: unknown } | { outcome: ParseOutcome } => {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { outcome: rejected({ source, index }, `not valid JSON: ${printable((error as Error).message)}`, error) };
  }
};

const parseElement = (text: string, source: string, index: number): ParseOutcome => {
  const parsed = parseJson(text, source, index);
  if ('outcome' in parsed) return parsed.outcome;
  const record = parsed.value;
  if (isPlainObject(record) && record.eventType === INSIGHT_EVENT_TYPE) return skipped('CloudTrail Insights event, not an API call', 'cloudtrail-insight');
  // An SQS batch ({"Records":[{messageId, body}…]}) has the same outer shape as a log file.
  if (isSqsMessage(record)) return parseSqsBody(record.body, source, index);
  return parseRecord(record, source, index);
};

const parseDocument = (text: string, source: string): ParseOutcome => {
  const parsed = parseJson(text, source, undefined);
  if ('outcome' in parsed) return parsed.outcome;
  if (isDigest(parsed.value)) return skipped(DIGEST_REASON, 'cloudtrail-digest');
  return parseRecord(parsed.value, source, 1);
};

const isDigest = (value: unknown): boolean => isPlainObject(value) && Object.keys(value).some((key) => DIGEST_KEYS.has(key));

const isSqsMessage = (record: unknown): record is Record<string, unknown> =>
  isPlainObject(record) && (record.eventSource === 'aws:sqs' || (typeof record.body === 'string' && 'messageId' in record));

const isZlibDataError = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR';
};

/** The bytes as they are, or gunzipped when they start with the gzip magic number (whatever the object's name). */
async function* decompressed(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const iterator = body[Symbol.asyncIterator]();
  // The magic number is two bytes; a stream may hand them over one at a time.
  const head: Uint8Array[] = [];
  let headBytes = 0;
  while (headBytes < 2) {
    const next = await iterator.next();
    if (next.done === true) break;
    head.push(next.value);
    headBytes += next.value.length;
  }
  async function* all(): AsyncGenerator<Uint8Array> {
    yield* head;
    yield* { [Symbol.asyncIterator]: () => iterator };
  }
  const first = Buffer.concat(head);
  if (!(first[0] === 0x1f && first[1] === 0x8b)) {
    yield* all();
    return;
  }
  const input = Readable.from(all(), { objectMode: false });
  const gunzip = createGunzip();
  // pipe() does not forward a source error: the gunzip stream must end with it.
  input.on('error', (error) => gunzip.destroy(error));
  try {
    yield* input.pipe(gunzip) as AsyncIterable<Uint8Array>;
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const BOM = [0xef, 0xbb, 0xbf];
const MAX_KEY_BYTES = 256;

/** How many backslashes run right before `end` (not before `start`): an odd count escapes the byte at `end`. */
const trailingBackslashes = (chunk: Buffer, start: number, end: number): number => {
  let count = 0;
  for (let position = end - 1; position >= start && chunk[position] === BACKSLASH; position -= 1) count += 1;
  return count;
};

const isSpace = (byte: number): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/** Where the scanner is in `{ "key": value, …, "Records": [ element, … ], … }` or `[ element, … ]`. */
type State = 'start' | 'key-or-close' | 'key' | 'in-key' | 'colon' | 'value' | 'skip-value' | 'after-value' | 'element-or-close' | 'element' | 'in-element' | 'done';

/**
 * The byte scanner. Outside Records it keeps the document's bytes (up to the limit) in case there is no Records
 * array; inside, one element's bytes at a time. A value is skipped or delimited by depth, outside strings.
 */
class DocumentScanner {
  failed = false;
  private state: State = 'start';
  private offset = 0;
  private topLevelArray = false;
  private sawRecords = false;
  private readonly keys = new Set<string>();
  private key: number[] = [];
  private keyEscaped = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private index = 0;
  private held = new Held();
  private document = new Held();

  constructor(
    private readonly maxRecordBytes: number,
    private readonly stats: { maxBufferedBytes: number } | undefined,
  ) {}

  push(input: Uint8Array): Piece[] {
    const chunk = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    const out: Piece[] = [];
    let elementStart = this.state === 'in-element' ? 0 : -1;
    for (let position = 0; position < chunk.length && !this.failed; position += 1) {
      const byte = chunk[position] ?? 0;
      const at = this.offset + position;
      switch (this.state) {
        case 'start':
          if (isSpace(byte) || (at < BOM.length && BOM[at] === byte)) break;
          if (byte === OPEN_BRACE) this.state = 'key-or-close';
          else if (byte === OPEN_BRACKET) {
            this.topLevelArray = true;
            this.enterRecords();
          } else this.fail(`not valid JSON: unexpected ${describeByte(byte)} at byte ${at}`, out);
          break;
        case 'key-or-close':
        case 'key':
          if (isSpace(byte)) break;
          if (byte === QUOTE) {
            this.state = 'in-key';
            this.key = [];
          } else if (byte === CLOSE_BRACE && this.state === 'key-or-close') this.state = 'done';
          else this.fail(`not valid JSON: expected a key at byte ${at}`, out);
          break;
        case 'in-key':
          if (this.keyEscaped) this.keyEscaped = false;
          else if (byte === BACKSLASH) this.keyEscaped = true;
          else if (byte === QUOTE) {
            this.keys.add(Buffer.from(this.key).toString('utf8'));
            this.state = 'colon';
            break;
          }
          if (this.key.length < MAX_KEY_BYTES) this.key.push(byte);
          break;
        case 'colon':
          if (isSpace(byte)) break;
          if (byte === COLON) this.state = 'value';
          else this.fail(`not valid JSON: expected ":" at byte ${at}`, out);
          break;
        case 'value':
          if (isSpace(byte)) break;
          if (byte === OPEN_BRACKET && !this.sawRecords && Buffer.from(this.key).toString('utf8') === 'Records') {
            this.enterRecords();
            break;
          }
          this.startValue();
          this.state = 'skip-value';
          position -= 1;
          break;
        case 'skip-value':
          if (this.valueEnds(byte)) {
            this.state = 'after-value';
            position -= 1;
          }
          break;
        case 'after-value':
          if (isSpace(byte)) break;
          if (byte === COMMA) this.state = 'key';
          else if (byte === CLOSE_BRACE) this.state = 'done';
          else this.fail(`not valid JSON: unexpected ${describeByte(byte)} at byte ${at}`, out);
          break;
        case 'element-or-close':
        case 'element':
          if (isSpace(byte)) break;
          if (byte === CLOSE_BRACKET && this.state === 'element-or-close') {
            this.leaveRecords();
            break;
          }
          this.startValue();
          this.state = 'in-element';
          elementStart = position;
          position -= 1;
          break;
        case 'in-element': {
          // The hot path: most bytes of a log are inside records, scanned in a tight loop (scanToValueEnd).
          const end = this.scanToValueEnd(chunk, position);
          if (end < 0) {
            position = chunk.length;
            break;
          }
          position = end;
          const byte = chunk[end] ?? 0;
          const at = this.offset + end;
          if (byte === CLOSE_BRACE) {
            this.fail(`not valid JSON: unexpected "}" at byte ${at}`, out);
            break;
          }
          this.hold(chunk.subarray(elementStart, position));
          elementStart = -1;
          out.push(this.takeElement());
          if (byte === COMMA) this.state = 'element';
          else this.leaveRecords();
          break;
        }
        case 'done':
          if (!isSpace(byte)) this.fail(`not valid JSON: unexpected data after the document at byte ${at}`, out);
          break;
      }
    }
    if (elementStart >= 0 && this.state === 'in-element') this.hold(chunk.subarray(elementStart));
    if (!this.sawRecords) this.keepDocument(chunk);
    this.offset += chunk.length;
    return out;
  }

  end(): Piece[] {
    if (this.failed) return [];
    if (this.state !== 'done') {
      const inRecord = this.state === 'in-element';
      const reason = inRecord ? 'truncated: the document ended inside this record' : `truncated: the document ended after ${this.offset} bytes`;
      return [{ kind: 'rejected', index: inRecord ? this.index : undefined, reason }];
    }
    if (this.sawRecords) return [];
    if (!this.document.overflow) return [{ kind: 'document', text: this.document.text() }];
    if ([...this.keys].some((key) => DIGEST_KEYS.has(key))) return [{ kind: 'skipped', reason: DIGEST_REASON }];
    return [{ kind: 'rejected', index: 0, reason: `a document without "Records" larger than ${this.maxRecordBytes} bytes` }];
  }

  /** A fault after which nothing more can be read: one rejection, for the record being read or the document. */
  fail(reason: string, out: Piece[] = []): Piece[] {
    this.failed = true;
    out.push({ kind: 'rejected', index: this.state === 'in-element' ? this.index : undefined, reason });
    return out;
  }

  private startValue(): void {
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }

  /**
   * valueEnds over a chunk from `from`, with the state in locals: the position of the byte that ends the value, or
   * -1 when the chunk ends first (the state is kept for the next chunk). Inside a string it jumps to the next quote
   * or backslash with indexOf (native), since most of a record's bytes are string contents.
   */
  private scanToValueEnd(chunk: Buffer, from: number): number {
    let { depth, inString, escaped } = this;
    const length = chunk.length;
    let found = -1;
    for (let position = from; position < length; position += 1) {
      if (inString) {
        if (escaped) {
          escaped = false;
          continue;
        }
        const quote = chunk.indexOf(QUOTE, position);
        if (quote < 0) {
          // No closing quote in this chunk: only a trailing backslash can matter for the next one.
          escaped = trailingBackslashes(chunk, position, length) % 2 === 1;
          position = length;
          break;
        }
        const backslashes = trailingBackslashes(chunk, position, quote);
        if (backslashes % 2 === 1) {
          position = quote;
          continue;
        }
        inString = false;
        position = quote;
        continue;
      }
      const byte = chunk[position];
      if (byte === QUOTE) inString = true;
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth += 1;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        if (depth === 0) {
          found = position;
          break;
        }
        depth -= 1;
      } else if (byte === COMMA && depth === 0) {
        found = position;
        break;
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return found;
  }

  /** Tracks strings and depth; true at a `,` `}` or `]` that ends the value (depth 0, outside a string). */
  private valueEnds(byte: number): boolean {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (byte === BACKSLASH) this.escaped = true;
      else if (byte === QUOTE) this.inString = false;
      return false;
    }
    if (byte === QUOTE) this.inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.depth += 1;
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (this.depth === 0) return true;
      this.depth -= 1;
    } else if (byte === COMMA && this.depth === 0) return true;
    return false;
  }

  private enterRecords(): void {
    this.sawRecords = true;
    // With a Records array the rest of the document is not needed.
    this.document = new Held();
    this.state = 'element-or-close';
  }

  private leaveRecords(): void {
    this.state = this.topLevelArray ? 'done' : 'after-value';
  }

  private hold(bytes: Buffer): void {
    this.held.add(bytes, this.maxRecordBytes);
    this.record();
  }

  private keepDocument(bytes: Buffer): void {
    this.document.add(bytes, this.maxRecordBytes);
    this.record();
  }

  private record(): void {
    if (this.stats !== undefined) this.stats.maxBufferedBytes = Math.max(this.stats.maxBufferedBytes, this.held.bytes + this.document.bytes);
  }

  private takeElement(): Piece {
    const index = this.index;
    this.index += 1;
    const held = this.held;
    this.held = new Held();
    if (held.overflow) return { kind: 'rejected', index, reason: `record is larger than ${this.maxRecordBytes} bytes` };
    return { kind: 'record', index, text: held.text() };
  }
}

/** Bytes held for one record (copies: a stream reuses its chunks), dropped for good once over the limit. */
class Held {
  private chunks: Buffer[] = [];
  bytes = 0;
  overflow = false;

  add(bytes: Buffer, limit: number): void {
    if (this.overflow || bytes.length === 0) return;
    if (this.bytes + bytes.length > limit) {
      this.overflow = true;
      this.chunks = [];
      this.bytes = 0;
      return;
    }
    this.chunks.push(Buffer.from(bytes));
    this.bytes += bytes.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8').trim();
  }
}

const describeByte = (byte: number): string =>
  byte >= 0x20 && byte < 0x7f ? JSON.stringify(String.fromCharCode(byte)) : `byte 0x${byte.toString(16).padStart(2, '0')}`;
