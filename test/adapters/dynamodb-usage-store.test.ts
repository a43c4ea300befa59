import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import type { KmsEvent } from '../../lib/domain/kms-event.js';
import { StoreWriteError } from '../../lib/errors.js';
import { ADMIN, EBS, failed, keyArn, kmsEvent, shuffled } from '../domain/usage-test-events.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';

const client = dynamoTestClient();
const newStore = async () => new DynamoDbUsageStore(client, await createTestTable(client));

const KEYS = ['1', '2', '3', '4', '5'].map(keyArn);
const usageBatch = (count: number, keys: readonly string[], day = '2024-05-01'): KmsEvent[] =>
  Array.from({ length: count }, (_, index) =>
    kmsEvent(index % 3 === 0 ? 'Encrypt' : 'Decrypt', keys[index % keys.length] ?? '', `${day}T${String(index % 24).padStart(2, '0')}:00:00.000Z`, {
      caller: index % 2 === 0 ? EBS : ADMIN,
    }),
  );

describe('the DynamoDB usage store', () => {
  let store: DynamoDbUsageStore;
  beforeAll(async () => {
    store = await newStore();
  });

  it('coalesces a batch: 500 events over 5 keys cost one write per key, not one per event, and two for coverage', async () => {
    const events = usageBatch(500, KEYS);

    const result = await store.record(events);

    // One account and Region: its coverage costs two conditional updates (watchedSince, heartbeat) per batch.
    expect(result).toEqual({ recorded: 500, duplicates: 0, writes: 5 + 2, keyBatches: 5 });
    expect(result.writes).toBeLessThanOrEqual(result.keyBatches + 2);
    const counts = await Promise.all(KEYS.map(async (key) => (await store.getUsage(key)).useCount));
    expect(counts).toEqual([100, 100, 100, 100, 100]);
  });

  it('gives duplicated, shuffled and late events the same summary as one ordered pass', async () => {
    const [ordered, messy] = [await newStore(), await newStore()];
    const events = [
      ...usageBatch(120, KEYS.slice(0, 2), '2024-05-01'),
      ...usageBatch(60, KEYS.slice(0, 2), '2024-05-02'),
      failed('Decrypt', KEYS[0] ?? '', '2024-05-02T05:00:00.000Z', 'KMSInvalidStateException', 'key is pending deletion.'),
    ];
    await ordered.record([...events].sort((a, b) => a.eventTime.localeCompare(b.eventTime)));

    const mixed = shuffled([...events, ...events.slice(0, 40)], 7);
    const results = [];
    for (let start = 0; start < mixed.length; start += 37) results.push(await messy.record(mixed.slice(start, start + 37)));

    for (const key of KEYS.slice(0, 2)) expect(await messy.getUsage(key)).toEqual(await ordered.getUsage(key));
    expect(results.reduce((sum, result) => sum + result.duplicates, 0)).toBe(40);
    expect(results.reduce((sum, result) => sum + result.recorded, 0)).toBe(events.length);
    expect((await messy.getUsage(KEYS[0] ?? '')).lastPendingDeletionFailure?.errorCode).toBe('KMSInvalidStateException');
  });

  it('loses no counts when overlapping batches for one hot key are recorded at the same time', async () => {
    const hot = await newStore();
    const events = usageBatch(300, [keyArn('hot')]);
    const batches = Array.from({ length: 8 }, (_, index) => shuffled(events, index + 1).slice(0, 150));
    const unique = new Set(batches.flat().map((event) => event.eventId)).size;

    const results = await Promise.all(batches.map((batch) => hot.record(batch)));

    expect((await hot.getUsage(keyArn('hot'))).useCount).toBe(unique);
    expect(results.reduce((sum, result) => sum + result.recorded, 0)).toBe(unique);
  });

  it('keeps key records from lifecycle events and lists the keys pending deletion', async () => {
    const key = keyArn('life');
    const schedule = kmsEvent('ScheduleKeyDeletion', key, '2024-05-03T00:00:00.000Z', {
      responseElements: { keyState: 'PendingDeletion', deletionDate: '2024-05-10T00:00:00Z' },
    });
    await store.record([kmsEvent('CreateKey', key, '2024-05-01T00:00:00.000Z'), schedule, kmsEvent('Decrypt', key, '2024-05-02T00:00:00.000Z')]);

    const pending = await store.listKeysPendingDeletion();
    await store.record([kmsEvent('CancelKeyDeletion', key, '2024-05-04T00:00:00.000Z')]);

    expect(pending.map((record) => record.keyArn)).toContain(key);
    expect(pending.find((record) => record.keyArn === key)?.pendingDeletion?.eventId).toBe(schedule.eventId);
    expect((await store.listKeysPendingDeletion()).map((record) => record.keyArn)).not.toContain(key);
    expect((await store.getKey(key))?.history.map((transition) => transition.state)).toEqual(['Enabled', 'PendingDeletion', 'Disabled']);
  });

  it('reports a lifecycle event seen again as a duplicate and writes nothing for it', async () => {
    const key = keyArn('dupe');
    const disable = kmsEvent('DisableKey', key, '2024-05-01T00:00:00.000Z');
    await store.record([disable]);

    const again = await store.record([disable]);

    expect(again).toEqual({ recorded: 0, duplicates: 1, writes: 0, keyBatches: 1 });
  });

  it('lists every key it holds usage or a record for, sorted', async () => {
    const own = await newStore();
    await own.record([kmsEvent('Decrypt', keyArn('z'), '2024-05-01T00:00:00.000Z'), kmsEvent('EnableKey', keyArn('y'), '2024-05-01T00:00:00.000Z')]);

    expect(await own.listKeyArns()).toEqual([keyArn('y'), keyArn('z')]);
  });

  it("records grant events, one write per grant plus one for the key's non-use calls", async () => {
    const key = keyArn('grants');
    const create = kmsEvent('CreateGrant', key, '2024-05-01T00:00:00.000Z', { responseElements: { grantId: 'g-1' }, requestParameters: { operations: ['Decrypt'] } });
    const retire = kmsEvent('RetireGrant', key, '2024-05-02T00:00:00.000Z', { requestParameters: { grantId: 'g-1' } });

    const result = await store.record([create, retire]);

    expect(result.writes).toBe(2);
    expect(result.recorded).toBe(2);
  });

  it('throws StoreWriteError naming the keys whose events could not be written', async () => {
    const broken = new DynamoDbUsageStore(client, 'no-such-table');

    const error = await broken.record(usageBatch(10, KEYS.slice(0, 2))).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(StoreWriteError);
    expect((error as StoreWriteError).keyArns).toEqual([...KEYS.slice(0, 2)].sort());
  });
});
