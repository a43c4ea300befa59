import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readLogRecords } from '../../lib/ingest/records-stream.js';
import type { InputRecord } from '../../lib/ingest/read-inputs.js';
import { loadSample } from './support.js';

const SOURCE = 's3://trail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/05/01/file.json.gz';

/** The document's bytes in chunks of `size` (1 exercises every boundary). */
async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

const read = async (document: string | Uint8Array, size = 7, options = {}): Promise<InputRecord[]> => {
  const bytes = typeof document === 'string' ? Buffer.from(document) : document;
  const records: InputRecord[] = [];
  for await (const record of readLogRecords(SOURCE, chunked(bytes, size), options)) records.push(record);
  return records;
};

const decrypt = () => (loadSample('awsdocs-kms-developer-guide/ct-decrypt-1.json') as { Records?: unknown[] }).Records?.[0] ?? loadSample('awsdocs-kms-developer-guide/ct-decrypt-1.json');
const s3Event = { eventVersion: '1.08', eventID: 'e-s3', eventTime: '2026-05-01T00:00:00Z', eventName: 'GetObject', eventSource: 's3.amazonaws.com', awsRegion: 'us-east-1' };
const kinds = (records: readonly InputRecord[]) => records.map((record) => [record.index, record.outcome.kind]);
const reasonOf = (record: InputRecord | undefined) =>
  record?.outcome.kind === 'rejected' ? record.outcome.error.message : record?.outcome.kind === 'skipped' ? record.outcome.reason : record?.outcome.kind;

describe('reading a CloudTrail log document as a stream', () => {
  it('yields each record of {"Records":[…]} with its position counted from 1, whatever the chunking', async () => {
    const document = JSON.stringify({ Records: [decrypt(), s3Event, decrypt()] });

    for (const size of [1, 3, 64, 1 << 20]) {
      const records = await read(document, size);
      expect(kinds(records), `chunks of ${size}`).toEqual([[1, 'event'], [2, 'skipped'], [3, 'event']]);
      expect(records.every((record) => record.source === SOURCE)).toBe(true);
    }
  });

  it('reads gzipped bytes by their magic number, not by name', async () => {
    const records = await read(gzipSync(JSON.stringify({ Records: [decrypt()] })), 5);

    expect(kinds(records)).toEqual([[1, 'event']]);
  });

  it('keeps braces, brackets, quotes and escapes inside strings out of the structure', async () => {
    const tricky = { ...s3Event, eventName: 'a"b}c]d,e{f[\\', userAgent: '\\"}]' };
    const document = `\uFEFF {"eventVersion":"x","Records" : [ ${JSON.stringify(tricky)} , ${JSON.stringify(decrypt())} ] , "extra": {"Records": [1]} }`;

    const records = await read(document, 2);

    expect(kinds(records)).toEqual([[1, 'skipped'], [2, 'event']]);
    expect(reasonOf(records[0])).toContain('a"b}c]d,e{f[\\');
  });

  it('names the object, the record and the field of a rejected record, and goes on', async () => {
    const broken = { ...(decrypt() as Record<string, unknown>), eventTime: 'yesterday' };
    const records = await read(JSON.stringify({ Records: [decrypt(), broken, decrypt()] }));

    expect(kinds(records)).toEqual([[1, 'event'], [2, 'rejected'], [3, 'event']]);
    expect(reasonOf(records[1])).toMatch(new RegExp(`^${SOURCE.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} record 2: eventTime: not an ISO-8601 time`));
  });

  it('rejects a record that is not JSON by itself and reads the next one', async () => {
    const records = await read(`{"Records":[{"eventID": tru}, ${JSON.stringify(decrypt())}]}`);

    expect(kinds(records)).toEqual([[1, 'rejected'], [2, 'event']]);
    expect(reasonOf(records[0])).toMatch(/record 1: not valid JSON/);
  });

  it('skips a digest file with a reason instead of rejecting it', async () => {
    const digest = { awsAccountId: '111122223333', digestStartTime: '2026-05-01T00:00:00Z', logFiles: [{ s3Object: 'a.json.gz' }] };

    const records = await read(gzipSync(JSON.stringify(digest)));

    expect(kinds(records)).toEqual([[undefined, 'skipped']]);
    expect(reasonOf(records[0])).toMatch(/digest file/);
  });

  it('skips a digest file too large to hold, by its keys', async () => {
    const logFiles = Array.from({ length: 2000 }, (_, index) => ({ s3Object: `AWSLogs/file-${index}.json.gz`, hashValue: 'ab'.repeat(32) }));
    const stats = { maxBufferedBytes: 0 };

    const records = await read(JSON.stringify({ digestStartTime: '2026-05-01T00:00:00Z', logFiles }), 4096, { maxRecordBytes: 10_000, stats });

    expect(kinds(records)).toEqual([[undefined, 'skipped']]);
    expect(stats.maxBufferedBytes).toBeLessThanOrEqual(10_000);
  });

  it('skips Insights records with a reason', async () => {
    const insight = { eventVersion: '1.07', eventTime: '2026-05-01T00:00:00Z', eventID: 'i-1', eventType: 'AwsCloudTrailInsight', insightDetails: { eventName: 'Decrypt' } };

    const records = await read(JSON.stringify({ Records: [insight] }));

    expect(kinds(records)).toEqual([[1, 'skipped']]);
    expect(reasonOf(records[0])).toMatch(/Insights event/);
  });

  it('rejects a record over the size limit without holding it, and reads the next one', async () => {
    const huge = { ...s3Event, requestParameters: { blob: 'x'.repeat(200_000) } };
    const stats = { maxBufferedBytes: 0 };

    const records = await read(JSON.stringify({ Records: [huge, decrypt()] }), 1000, { maxRecordBytes: 20_000, stats });

    expect(kinds(records)).toEqual([[1, 'rejected'], [2, 'event']]);
    expect(reasonOf(records[0])).toMatch(/record 1: record is larger than 20000 bytes/);
    expect(stats.maxBufferedBytes).toBeLessThanOrEqual(20_000);
  });

  it('holds one record at a time, however long the document', async () => {
    const records = Array.from({ length: 3000 }, (_, index) => ({ ...(decrypt() as Record<string, unknown>), eventID: `id-${index}` }));
    const document = JSON.stringify({ Records: records });
    const largest = Math.max(...records.map((record) => JSON.stringify(record).length));
    const stats = { maxBufferedBytes: 0 };

    const read3000 = await read(gzipSync(document), 16_384, { stats });

    expect(read3000).toHaveLength(3000);
    expect(document.length).toBeGreaterThan(100 * largest);
    expect(stats.maxBufferedBytes).toBeLessThanOrEqual(largest + 16);
  });

  it('says a truncated document ended inside a record, after yielding the records before it', async () => {
    const document = JSON.stringify({ Records: [decrypt(), decrypt()] });

    const records = await read(document.slice(0, document.length - 40));

    expect(kinds(records)).toEqual([[1, 'event'], [2, 'rejected']]);
    expect(reasonOf(records[1])).toMatch(/record 2: truncated/);
  });

  it('rejects a cut gzip stream once, after the records read before the cut', async () => {
    const records400 = Array.from({ length: 400 }, (_, index) => ({ ...(decrypt() as Record<string, unknown>), eventID: `id-${index}` }));
    const zipped = gzipSync(JSON.stringify({ Records: records400 }));
    const damaged = zipped.subarray(0, Math.floor(zipped.length / 2));

    const records = await read(damaged, 512);

    const last = records.at(-1);
    expect(records.length).toBeGreaterThan(1);
    expect(last?.outcome.kind).toBe('rejected');
    expect(reasonOf(last)).toMatch(/not a valid gzip file/);
    expect(records.slice(0, -1).every((record) => record.outcome.kind === 'event')).toBe(true);
  });

  it('rejects a document that is not JSON, naming the byte', async () => {
    const records = await read('<Error>AccessDenied</Error>');

    expect(kinds(records)).toEqual([[undefined, 'rejected']]);
    expect(reasonOf(records[0])).toMatch(/not valid JSON: unexpected "<" at byte 0/);
  });

  it('reads a top-level array of records, and a document without Records as one record', async () => {
    expect(kinds(await read(JSON.stringify([decrypt(), decrypt()])))).toEqual([[1, 'event'], [2, 'event']]);
    expect(kinds(await read(JSON.stringify(decrypt())))).toEqual([[1, 'event']]);
    expect(kinds(await read('{"Records": []}'))).toEqual([]);
  });

  it('throws an I/O error of the byte source instead of rejecting the object', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('{"Records":[');
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    }
    const drain = async () => {
      for await (const record of readLogRecords(SOURCE, failing())) void record;
    };

    await expect(drain()).rejects.toThrow('socket hang up');
  });

  it('splits any Records array exactly as JSON.parse does, at any chunk size, gzipped or not (property)', async () => {
    // A non-KMS record is skipped with its eventName in the reason, so the reason shows the exact text read.
    const nameUnit = fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', ' ', 'a', 'é', '😀');
    const element = fc.oneof(
      fc.record({ eventSource: fc.constant('s3.amazonaws.com'), eventName: fc.string({ unit: nameUnit, minLength: 1 }), extra: fc.jsonValue({ maxDepth: 3 }) }),
      fc.jsonValue({ maxDepth: 2 }).filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(element, { maxLength: 12 }), fc.integer({ min: 1, max: 50 }), fc.boolean(), fc.boolean(), async (elements, size, zipped, pretty) => {
        const text = JSON.stringify({ head: { Records: 1 }, Records: elements, tail: '"]}' }, null, pretty ? 2 : undefined);
        const records = await read(zipped ? gzipSync(text) : text, size);
        expect(records.map((record) => record.index)).toEqual(elements.map((_, index) => index + 1));
        records.forEach((record, index) => {
          const value = elements[index];
          if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
            expect(reasonOf(record)).toBe(`not a KMS or CloudHSM event: s3.amazonaws.com ${String((value as { eventName: string }).eventName)}`);
          } else expect(record.outcome.kind).toBe('rejected');
        });
      }),
      { seed: 15, numRuns: 200, interruptAfterTimeLimit: 10_000 },
    );
  });
});
