import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDecisionStore } from '../../lib/adapters/dynamodb-decision-store.js';
import { CLAIM_LEASE_MS } from '../../lib/domain/decision-claim.js';
import type { Decision } from '../../lib/domain/model.js';
import { keyArn } from '../domain/usage-test-events.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';

const client = dynamoTestClient();

const decision = (decisionId: string, decidedAt = '2024-05-01T00:00:00.000Z'): Decision => ({
  decisionId,
  action: 'cancel-deletion',
  keyArn: keyArn('a'),
  reasons: ['recent-use'],
  evidence: { lastUsedAt: '2024-04-30T00:00:00.000Z' },
  eventId: decisionId,
  decidedAt,
  accountId: '111122223333',
  region: 'us-east-1',
  reEnable: true,
  dryRun: false,
});

describe('the DynamoDB decision store', () => {
  let store: DynamoDbDecisionStore;
  beforeAll(async () => {
    store = new DynamoDbDecisionStore(client, await createTestTable(client));
  });

  it('lets exactly one of 10 concurrent claims of a decision win', async () => {
    const claims = await Promise.all(Array.from({ length: 10 }, () => store.claim(decision('race'))));

    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.get('race')).toEqual(decision('race'));
  });

  it('keeps a completed decision from being claimed again', async () => {
    await store.claim(decision('done'));
    await store.complete('done', [{ call: 'CancelKeyDeletion', result: 'ok' }]);

    expect(await store.claim(decision('done'))).toBe(false);
    expect((await store.get('done'))?.outcome).toEqual([{ call: 'CancelKeyDeletion', result: 'ok' }]);
  });

  it('lets a decision whose action failed be claimed again, once', async () => {
    await store.claim(decision('retry'));
    await store.complete('retry', [{ call: 'CancelKeyDeletion', result: 'failed', detail: 'ThrottlingException' }]);

    const claims = await Promise.all(Array.from({ length: 5 }, () => store.claim(decision('retry'))));

    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('holds a claim that was never completed until its lease runs out, then lets one claimer take it', async () => {
    await store.claim(decision('crashed', '2024-05-01T00:00:00.000Z'));
    const withinLease = new Date(Date.parse('2024-05-01T00:00:00.000Z') + CLAIM_LEASE_MS - 1_000).toISOString();
    const afterLease = new Date(Date.parse('2024-05-01T00:00:00.000Z') + CLAIM_LEASE_MS + 1_000).toISOString();

    expect(await store.claim(decision('crashed', withinLease))).toBe(false);
    const takeovers = await Promise.all(Array.from({ length: 5 }, () => store.claim(decision('crashed', afterLease))));

    expect(takeovers.filter(Boolean)).toHaveLength(1);
    expect((await store.get('crashed'))?.decidedAt).toBe(afterLease);
  });

  it('never lets a lease reopen a completed decision', async () => {
    await store.claim(decision('finished', '2024-05-01T00:00:00.000Z'));
    await store.complete('finished', []);

    expect(await store.claim(decision('finished', '2025-05-01T00:00:00.000Z'))).toBe(false);
  });

  it('lists decisions oldest first', async () => {
    const own = new DynamoDbDecisionStore(client, await createTestTable(client));
    await own.claim(decision('second', '2024-05-02T00:00:00.000Z'));
    await own.claim(decision('first', '2024-05-01T00:00:00.000Z'));

    expect((await own.list()).map((listed) => listed.decisionId)).toEqual(['first', 'second']);
  });
});
