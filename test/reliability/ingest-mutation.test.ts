/**
 * Property-based mutation of the real CloudTrail samples: truncation, wrong types, missing fields, nulls in
 * nested places, strings of a megabyte and more. Whatever the damage, every record is processed or rejected with
 * a reason that names the field, nothing throws, nothing is dropped silently, and the valid records around the
 * damaged one (in the same JSON Lines file, in the same SQS batch) still get through.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import type { KmsEvent } from '../../lib/domain/kms-event.js';
import type { UsageStore } from '../../lib/domain/ports.js';
import { buildUsageTrackerHandler } from '../../lib/handlers/usage-tracker.js';
import { parseRecord, parseSqsBody } from '../../lib/ingest/parse-record.js';
import { readInputs, type InputRecord } from '../../lib/ingest/read-inputs.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';
import { validSampleRecords, type SampleRecord } from './samples.js';

const SAMPLES = validSampleRecords();
const MEGABYTE = 1_048_576;

type Path = readonly (string | number)[];

/** Every path to a value inside the record (objects and arrays), the record itself excluded. */
const pathsOf = (value: unknown, prefix: Path = [], depth = 0): Path[] => {
  if (depth > 6 || typeof value !== 'object' || value === null) return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key], depth + 1)]);
};

type Mutation =
  | { readonly kind: 'delete' }
  | { readonly kind: 'replace'; readonly value: unknown; readonly label: string };

const hugeString = (extra: number) => 'K'.repeat(MEGABYTE + extra);

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: 'delete' }),
  fc.constant<Mutation>({ kind: 'replace', value: null, label: 'null' }),
  fc
    .constantFrom<[unknown, string]>([42, 'number'], [true, 'boolean'], [[], 'array'], [{}, 'object'], ['', 'empty string'], ['not-a-value', 'string'], [-1.5e308, 'number'])
    .map(([value, label]): Mutation => ({ kind: 'replace', value, label })),
  fc.nat({ max: 1000 }).map((extra): Mutation => ({ kind: 'replace', value: hugeString(extra), label: 'huge string' })),
);

/** A copy of the record with the value at `at` deleted or replaced. */
const mutate = (record: Record<string, unknown>, at: Path, mutation: Mutation): Record<string, unknown> => {
  const copy = structuredClone(record);
  let parent: unknown = copy;
  for (const key of at.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
  const last = at.at(-1);
  if (last === undefined || typeof parent !== 'object' || parent === null) return copy;
  if (mutation.kind === 'replace') (parent as Record<string | number, unknown>)[last] = mutation.value;
  else if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else delete (parent as Record<string | number, unknown>)[last];
  return copy;
};

interface Damage {
  readonly sample: SampleRecord;
  readonly at: Path;
  readonly mutation: Mutation;
  readonly damaged: Record<string, unknown>;
}

const damageArb: fc.Arbitrary<Damage> = fc
  .record({ sampleIndex: fc.nat({ max: SAMPLES.length - 1 }), pathIndex: fc.nat(), mutation: mutationArb })
  .map(({ sampleIndex, pathIndex, mutation }) => {
    const sample = SAMPLES[sampleIndex] ?? SAMPLES[0];
    if (sample === undefined) throw new Error('no valid samples');
    const paths = pathsOf(sample.record);
    const at = paths[pathIndex % paths.length] ?? [];
    return { sample, at, mutation, damaged: mutate(sample.record, at, mutation) };
  });

/** A reason names a field when it reads "<field>: …" (several complaints are joined by "; "). */
const FIELD_REASON = /^(detail\.)?[\w$@:\-.()]+: \S/;

const describeDamage = (damage: Damage): string =>
  `${path.basename(damage.sample.file)} ${damage.sample.eventId}: ${damage.mutation.kind === 'delete' ? 'deleted' : `set to ${damage.mutation.label}`} ${damage.at.join('.')}`;

describe('damaged real samples are processed or rejected with a reason, never thrown or dropped', () => {
  it('has valid real samples to damage', () => {
    expect(SAMPLES.length).toBeGreaterThan(20);
  });

  it('parses any single mutation of a sample to an event, a skip, or a rejection naming the damaged field', () => {
    fc.assert(
      fc.property(damageArb, (damage) => {
        const outcome = parseRecord(damage.damaged, 'mutated', 0);
        expect(['event', 'skipped', 'rejected'], describeDamage(damage)).toContain(outcome.kind);
        if (outcome.kind === 'rejected') {
          expect(outcome.error.reason, describeDamage(damage)).toMatch(FIELD_REASON);
          // The reason points at the damage: a segment of the damaged path, or the record as a whole, or a field the
          // damage removed (without its detail-type an EventBridge event is read as a CloudTrail record: "eventSource: missing").
          const named = damage.at.filter((segment): segment is string => typeof segment === 'string');
          const reason = outcome.error.reason;
          expect(
            named.some((segment) => reason.includes(segment)) || reason.includes('(record)') || /: missing($|;)/.test(reason),
            `${describeDamage(damage)} → ${reason}`,
          ).toBe(true);
        }
        if (outcome.kind === 'skipped') expect(outcome.reason).not.toBe('');
      }),
      { numRuns: 600, seed: 20261129 },
    );
  });

  describe('in a JSON Lines file', () => {
    let directory: string;
    beforeAll(async () => {
      directory = await mkdtemp(path.join(tmpdir(), 'kms-guard-mutation-'));
    });
    afterAll(() => rm(directory, { recursive: true, force: true }));

    const lineArb = fc.oneof(
      damageArb.map((damage) => ({ text: JSON.stringify(damage.damaged), what: describeDamage(damage) })),
      // Truncation: a line cut anywhere after its first character (an empty line is no record at all).
      fc.record({ sampleIndex: fc.nat({ max: SAMPLES.length - 1 }), cut: fc.double({ min: 0, max: 1, noNaN: true }) }).map(({ sampleIndex, cut }) => {
        const text = JSON.stringify(SAMPLES[sampleIndex]?.record);
        const keep = 1 + Math.floor(cut * (text.length - 2));
        return { text: text.slice(0, keep), what: `truncated to ${keep} of ${text.length} characters` };
      }),
    );

    it('keeps the valid records around a damaged line and accounts for every line', async () => {
      let file = 0;
      await fc.assert(
        fc.asyncProperty(lineArb, fc.uniqueArray(fc.nat({ max: SAMPLES.length - 1 }), { minLength: 2, maxLength: 2, selector: (index) => SAMPLES[index]?.eventId }), async (damaged, [before = 0, after = 1]) => {
          const first = SAMPLES[before];
          const last = SAMPLES[after];
          const target = path.join(directory, `mutated-${(file += 1)}.jsonl`);
          await writeFile(target, `${JSON.stringify(first?.record)}\n${damaged.text}\n${JSON.stringify(last?.record)}\n`);

          const records: InputRecord[] = [];
          for await (const record of readInputs([target])) records.push(record);

          expect(records.map((record) => record.index), damaged.what).toEqual([1, 2, 3]);
          const eventIds = records.flatMap((record) => (record.outcome.kind === 'event' ? [record.outcome.event.eventId] : []));
          expect(eventIds[0], damaged.what).toBe(first?.eventId);
          expect(eventIds.at(-1), damaged.what).toBe(last?.eventId);
          const middle = records[1]?.outcome;
          if (middle?.kind === 'rejected') {
            expect(middle.error.message, damaged.what).toContain(`${target} line 2: `);
            expect(middle.error.reason, damaged.what).toMatch(/^(not valid JSON: |(detail\.)?[\w$@:\-.()]+: \S)/);
          }
        }),
        { numRuns: 150, seed: 7 },
      );
    });

    it('reads a record holding a string of more than a megabyte', async () => {
      const sample = SAMPLES.find((candidate) => candidate.record.eventName === 'Decrypt') ?? SAMPLES[0];
      const huge = { ...sample?.record, userAgent: hugeString(17), requestParameters: { encryptionContext: { blob: hugeString(3) } } };
      const target = path.join(directory, 'huge.jsonl');
      await writeFile(target, `${JSON.stringify(huge)}\n${JSON.stringify(SAMPLES[1]?.record)}\n`);

      const records: InputRecord[] = [];
      for await (const record of readInputs([target])) records.push(record);

      expect(records).toHaveLength(2);
      expect(records.map((record) => record.outcome.kind)).toEqual(['event', 'event']);
    });
  });

  describe('in an SQS batch through the usage tracker', () => {
    const client = dynamoTestClient();
    const logger = new Logger({ serviceName: 'mutation-test', logLevel: 'SILENT' });
    const context = { functionName: 'usage-tracker', awsRequestId: 'mutation', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
    let tableName: string;
    beforeAll(async () => {
      tableName = await createTestTable(client);
    });
    afterAll(() => client.destroy());

    const asEventBridge = (record: Record<string, unknown>): Record<string, unknown> =>
      'detail-type' in record
        ? record
        : { version: '0', id: `eb-${String(record.eventID)}`, 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.kms', account: '111122223333', time: '2026-01-01T00:00:00Z', region: 'us-east-1', resources: [], detail: record };

    const message = (messageId: string, body: string): SQSRecord =>
      ({ messageId, receiptHandle: messageId, body, attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:usage', awsRegion: 'us-east-1' }) as unknown as SQSRecord;

    it('fails exactly the damaged message and records the valid ones beside it', async () => {
      const bodyArb = fc.oneof(
        damageArb.map((damage) => ({ body: JSON.stringify(asEventBridge(damage.damaged)), what: describeDamage(damage) })),
        fc.record({ sampleIndex: fc.nat({ max: SAMPLES.length - 1 }), cut: fc.double({ min: 0, max: 1, noNaN: true }) }).map(({ sampleIndex, cut }) => {
          const text = JSON.stringify(asEventBridge(SAMPLES[sampleIndex]?.record ?? {}));
          return { body: text.slice(0, Math.floor(cut * (text.length - 1))), what: 'truncated body' };
        }),
      );
      await fc.assert(
        fc.asyncProperty(bodyArb, fc.uniqueArray(fc.nat({ max: SAMPLES.length - 1 }), { minLength: 3, maxLength: 6, selector: (index) => SAMPLES[index]?.eventId }), async (damaged, validIndexes) => {
          const recorded: KmsEvent[] = [];
          const store = new DynamoDbUsageStore(client, tableName);
          const usage: UsageStore = { ...bind(store), record: async (events) => (recorded.push(...events), store.record(events)) };
          const valid = validIndexes.map((index) => SAMPLES[index]).filter((sample): sample is SampleRecord => sample !== undefined);
          const records = valid.map((sample, index) => message(`valid-${index}`, JSON.stringify(asEventBridge(sample.record))));
          records.splice(1, 0, message('damaged', damaged.body));

          const response = await buildUsageTrackerHandler({ usage, logger })({ Records: records } satisfies SQSEvent, context);

          const expected = parseSqsBody(damaged.body, 'SQS message damaged', undefined).kind === 'rejected' ? [{ itemIdentifier: 'damaged' }] : [];
          expect(response.batchItemFailures, damaged.what).toEqual(expected);
          expect(recorded.map((event) => event.eventId), damaged.what).toEqual(expect.arrayContaining(valid.map((sample) => sample.eventId)));
        }),
        { numRuns: 30, seed: 11 },
      );
    });
  });
});

/** The store's methods bound to it, so one can be replaced in a spread copy. */
const bind = (store: DynamoDbUsageStore): UsageStore => ({
  record: (events) => store.record(events),
  getKey: (keyArn) => store.getKey(keyArn),
  getUsage: (keyArn) => store.getUsage(keyArn),
  listKeyArns: () => store.listKeyArns(),
  listKeysPendingDeletion: () => store.listKeysPendingDeletion(),
  getCoverage: (accountId, region) => store.getCoverage(accountId, region),
});
