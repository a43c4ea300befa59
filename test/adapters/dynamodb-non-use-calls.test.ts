/** DescribeKey, CreateGrant and RetireGrant are recorded as grant evidence and never as use of the key. */
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import type { KmsEvent } from '../../lib/domain/kms-event.js';
import { ADMIN, EBS, keyArn, kmsEvent, shuffled } from '../domain/usage-test-events.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';

const client = dynamoTestClient();
const newStore = async () => new DynamoDbUsageStore(client, await createTestTable(client));
const KEY = keyArn('n');
const GUARD = { principal: 'arn:aws:iam::111122223333:role/kms-guard-deletion-sweep', principalType: 'AssumedRole' };

const uses: KmsEvent[] = [
  kmsEvent('Decrypt', KEY, '2026-05-02T10:00:00.000Z', { caller: EBS }),
  kmsEvent('GenerateDataKey', KEY, '2026-05-03T10:00:00.000Z'),
];
const nonUse: KmsEvent[] = [
  // Earlier and later than every use: neither may move first-seen or last-used.
  kmsEvent('DescribeKey', KEY, '2026-04-01T00:00:00.000Z', { caller: GUARD }),
  kmsEvent('DescribeKey', KEY, '2026-05-09T00:00:00.000Z', { caller: GUARD }),
  kmsEvent('CreateGrant', KEY, '2026-05-08T00:00:00.000Z', { caller: ADMIN, responseElements: { grantId: 'g-1' } }),
  kmsEvent('RetireGrant', KEY, '2026-05-08T01:00:00.000Z', { caller: ADMIN, requestParameters: { grantId: 'g-1' } }),
];

describe('the usage store, given calls that are not use', () => {
  let withNonUse: DynamoDbUsageStore;
  let usesOnly: DynamoDbUsageStore;
  beforeAll(async () => {
    [withNonUse, usesOnly] = [await newStore(), await newStore()];
    await withNonUse.record(shuffled([...uses, ...nonUse], 7));
    await usesOnly.record(uses);
  });

  it('gives the same usage facts as without them: last use, cryptographic use, counts, callers, first seen', async () => {
    const { nonUseCalls, ...summary } = await withNonUse.getUsage(KEY);

    expect(summary).toEqual(await usesOnly.getUsage(KEY));
    expect(summary.lastUsedAt).toBe('2026-05-03T10:00:00.000Z');
    expect(summary.firstSeenAt).toBe('2026-05-02T10:00:00.000Z');
    expect(nonUseCalls?.length).toBeGreaterThan(0);
  });

  it('reports who last made each of them, for the grant expirer', async () => {
    const { nonUseCalls } = await withNonUse.getUsage(KEY);

    expect(nonUseCalls?.map((call) => [call.principal, call.operation, call.lastAt])).toEqual([
      [GUARD.principal, 'DescribeKey', '2026-05-09T00:00:00.000Z'],
      [ADMIN.principal, 'RetireGrant', '2026-05-08T01:00:00.000Z'],
      [ADMIN.principal, 'CreateGrant', '2026-05-08T00:00:00.000Z'],
    ]);
  });

  it('leaves a key only ever described without any use, and without a first-seen time', async () => {
    const store = await newStore();
    const described = keyArn('d');
    await store.record([kmsEvent('DescribeKey', described, '2026-05-01T00:00:00.000Z', { caller: GUARD })]);

    const summary = await store.getUsage(described);

    expect(summary).toMatchObject({ useCount: 0, callers: [], dailyCounts: {} });
    expect(summary.lastUsedAt).toBeUndefined();
    expect(summary.firstSeenAt).toBeUndefined();
    expect(summary.nonUseCalls).toHaveLength(1);
  });

  it('counts a redelivered DescribeKey as a duplicate', async () => {
    const store = await newStore();
    const describe = kmsEvent('DescribeKey', KEY, '2026-05-01T00:00:00.000Z');
    await store.record([describe]);

    // Nothing is written again but the two conditional coverage bounds, which a redelivery must still move in case
    // the first delivery failed after its items and before them.
    expect(await store.record([describe])).toMatchObject({ recorded: 0, duplicates: 1, writes: 2 });
  });
});
