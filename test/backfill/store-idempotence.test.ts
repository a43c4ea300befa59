/**
 * What the usage store's own dedupe guarantees, which the backfill's ledger builds on: key records and grants
 * come out the same however often their events are applied, while a key-day bucket remembers only its newest
 * 2,000 eventIDs, so only a ledger makes a second pass over a busy key-day harmless.
 */
import { describe, expect, it } from 'vitest';
import { DynamoDbGrantStore } from '../../lib/adapters/dynamodb-grant-store.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { MAX_HISTORY } from '../../lib/domain/key-record-bounds.js';
import { SEEN_RING_SIZE } from '../../lib/domain/usage.js';
import { keyArn, kmsEvent } from '../domain/usage-test-events.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';

const client = dynamoTestClient();
const KEY = keyArn('ring');
const at = (index: number) => `2026-05-01T${String(Math.floor(index / 60) % 24).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}:00.000Z`;

describe('the usage store applied twice to the same events', () => {
  it('gives the same key record (past its 200 remembered eventIDs) and the same grants', async () => {
    const lifecycle = Array.from({ length: 260 }, (_, index) =>
      index % 2 === 0
        ? kmsEvent('TagResource', KEY, at(index), { requestParameters: { tags: [{ tagKey: `k${index % 7}`, tagValue: `v${index}` }] } })
        : kmsEvent(index % 4 === 1 ? 'DisableKey' : 'EnableKey', KEY, at(index)),
    );
    // A grant has a handful of events in its life; 120 grants, each created and retired.
    const grants = Array.from({ length: 120 }, (_, index) => [
      kmsEvent('CreateGrant', KEY, at(index), { responseElements: { grantId: `g-${index}` }, requestParameters: { operations: ['Decrypt'], granteePrincipal: 'arn:aws:iam::111122223333:role/app' } }),
      kmsEvent('RetireGrant', KEY, at(index + 500), { requestParameters: { grantId: `g-${index}` } }),
    ]).flat();
    const table = await createTestTable(client);
    const store = new DynamoDbUsageStore(client, table);
    const grantStore = new DynamoDbGrantStore(client, table);
    // listGrants reads active grants only: read each grant, closed ones included.
    const allGrants = () => Promise.all(Array.from({ length: 120 }, (_, index) => grantStore.getGrant(KEY, `g-${index}`)));
    for (let start = 0; start < 500; start += 100) await store.record([...lifecycle, ...grants].slice(start, start + 100));
    const once = { key: await store.getKey(KEY), grants: await allGrants() };

    for (let start = 0; start < 500; start += 100) await store.record([...lifecycle, ...grants].slice(start, start + 100));

    expect(await store.getKey(KEY)).toEqual(once.key);
    expect(await allGrants()).toEqual(once.grants);
    // 130 transitions, the oldest dropped by the key record's budget, idempotently.
    expect(once.key?.history.length).toBe(MAX_HISTORY);
    expect(once.key?.historyTruncatedAt).toBeDefined();
    expect(once.grants).toHaveLength(120);
    expect(once.grants.every((grant) => grant?.status === 'retired')).toBe(true);
  });

  it('counts a key-day\'s uses again once they have left its 2,000 fingerprints: the reason for the backfill ledger', async () => {
    const store = new DynamoDbUsageStore(client, await createTestTable(client));
    const uses = Array.from({ length: SEEN_RING_SIZE + 500 }, (_, index) => kmsEvent('Decrypt', KEY, at(index % 1440)));
    for (let start = 0; start < uses.length; start += 1000) await store.record(uses.slice(start, start + 1000));

    const again = await store.record(uses.slice(0, 1000));

    expect(again.duplicates).toBe(500);
    expect((await store.getUsage(KEY)).useCount).toBe(uses.length + 500);
  });
});
