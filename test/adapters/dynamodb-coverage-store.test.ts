import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCoverageStore } from '../../lib/adapters/dynamodb-coverage-store.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';

const client = dynamoTestClient();
const ACCOUNT = '111122223333';

describe('the DynamoDB coverage store', () => {
  let store: DynamoDbCoverageStore;
  beforeAll(async () => {
    store = new DynamoDbCoverageStore(client, await createTestTable(client));
  });

  it('knows nothing of an account and Region it never saw', async () => {
    expect(await store.getCoverage(ACCOUNT, 'eu-north-1')).toBeUndefined();
  });

  it('keeps the earliest watched-since and the latest usage arrival, whatever the order', async () => {
    await store.recordUsageArrival(ACCOUNT, 'us-east-1', '2026-05-02T00:00:00.000Z');
    await store.widenWatchedSince(ACCOUNT, 'us-east-1', '2026-05-01T00:00:00.000Z');
    await store.recordUsageArrival(ACCOUNT, 'us-east-1', '2026-05-01T12:00:00.000Z');
    await store.widenWatchedSince(ACCOUNT, 'us-east-1', '2026-02-01T00:00:00.000Z');
    await store.widenWatchedSince(ACCOUNT, 'us-east-1', '2026-04-01T00:00:00.000Z');

    expect(await store.getCoverage(ACCOUNT, 'us-east-1')).toEqual({
      accountId: ACCOUNT,
      region: 'us-east-1',
      watchedSince: '2026-02-01T00:00:00.000Z',
      lastUsageEventAt: '2026-05-02T00:00:00.000Z',
    });
  });

  it('loses no update among concurrent writers', async () => {
    const times = Array.from({ length: 20 }, (_, index) => `2026-06-${String(index + 1).padStart(2, '0')}T00:00:00.000Z`);
    await Promise.all(
      times.flatMap((time) => [store.recordUsageArrival(ACCOUNT, 'us-west-2', time), store.widenWatchedSince(ACCOUNT, 'us-west-2', time)]),
    );

    const coverage = await store.getCoverage(ACCOUNT, 'us-west-2');
    expect(coverage?.watchedSince).toBe(times[0]);
    expect(coverage?.lastUsageEventAt).toBe(times.at(-1));
  });

  it('keeps accounts and Regions apart', async () => {
    await store.widenWatchedSince('444455556666', 'us-east-1', '2020-01-01T00:00:00.000Z');

    expect((await store.getCoverage(ACCOUNT, 'us-east-1'))?.watchedSince).toBe('2026-02-01T00:00:00.000Z');
    expect(await store.getCoverage('444455556666', 'us-east-1')).toEqual({
      accountId: '444455556666',
      region: 'us-east-1',
      watchedSince: '2020-01-01T00:00:00.000Z',
    });
  });
});
