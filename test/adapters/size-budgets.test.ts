/**
 * Every item the guard writes stays under DynamoDB's 400 KB, however much history is thrown at it: each kind is
 * driven past 400 KB worth of events through the real stores against DynamoDB Local, and must stay well under.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDecisionStore } from '../../lib/adapters/dynamodb-decision-store.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { decisionKey, grantKey, stateKey, usageKey } from '../../lib/adapters/dynamodb-items.js';
import { COVERAGE_SK, coveragePk } from '../../lib/adapters/dynamodb-table.js';
import type { KmsEvent } from '../../lib/domain/kms-event.js';
import { DYNAMODB_ITEM_LIMIT_BYTES, jsonBytes } from '../../lib/domain/size-budget.js';
import { enactDecision } from '../../lib/use-cases/enact-decision.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';
import { itemSizes } from '../support/item-sizes.js';
import { ACCOUNT, failed, keyArn, kmsEvent } from '../domain/usage-test-events.js';

const client = dynamoTestClient();
const KEY = keyArn('budget');
const LONG_PATH = 'p'.repeat(300);
const at = (seconds: number): string => new Date(Date.parse('2026-05-01T00:00:00.000Z') + seconds * 1_000).toISOString();

/** Records in SQS-sized batches, as the usage tracker does. */
const recordAll = async (store: DynamoDbUsageStore, events: readonly KmsEvent[]): Promise<void> => {
  for (let start = 0; start < events.length; start += 1_000) await store.record(events.slice(start, start + 1_000));
};

describe('the size budget of every stored item', () => {
  let tableName: string;
  let store: DynamoDbUsageStore;
  const sizeOf = async (key: { pk: string; sk: string }): Promise<number> =>
    (await itemSizes(client, tableName)).find((item) => item.pk === key.pk && item.sk === key.sk)?.bytes ?? 0;

  beforeAll(async () => {
    tableName = await createTestTable(client);
    store = new DynamoDbUsageStore(client, tableName);
  });

  it('a usage day bucket: 6,000 distinct failing callers with long role paths', async () => {
    const events = Array.from({ length: 6_000 }, (_, index) =>
      failed('Decrypt', KEY, at(index), 'AccessDeniedException', 'not authorized', {
        caller: { principal: `arn:aws:iam::${ACCOUNT}:role/${LONG_PATH}/flood-${index}`, principalType: 'AssumedRole' },
      }),
    );
    expect(jsonBytes(events)).toBeGreaterThan(DYNAMODB_ITEM_LIMIT_BYTES);

    await recordAll(store, events);

    expect(await sizeOf(usageKey(KEY, '2026-05-01'))).toBeLessThan(300 * 1024);
    expect((await store.getUsage(KEY)).failures[0]).toMatchObject({ count: 6_000, callersOmitted: 6_000 - 50 });
  });

  it('a key record: 3,000 enables and disables, and a tag created and removed with each', async () => {
    const events: KmsEvent[] = [kmsEvent('CreateKey', KEY, at(0), { responseElements: { keyMetadata: { keyState: 'Enabled' } } })];
    for (let index = 1; index <= 3_000; index += 1) {
      const tagKey = `cost-centre-${index}-${'t'.repeat(100)}`;
      events.push(kmsEvent(index % 2 === 0 ? 'EnableKey' : 'DisableKey', KEY, at(index * 60)));
      events.push(kmsEvent('TagResource', KEY, at(index * 60), { requestParameters: { tags: [{ tagKey, tagValue: 'v'.repeat(250) }] } }));
      events.push(kmsEvent('UntagResource', KEY, at(index * 60 + 1), { requestParameters: { tagKeys: [tagKey] } }));
    }
    expect(jsonBytes(events)).toBeGreaterThan(DYNAMODB_ITEM_LIMIT_BYTES);

    await recordAll(store, events);

    expect(await sizeOf(stateKey(KEY))).toBeLessThan(200 * 1024);
    expect((await store.getKey(KEY))?.history.at(-1)?.eventName).toBe('EnableKey');
  });

  it('a grant: 2,000 deliveries of its events under distinct ids', async () => {
    const grantId = 'a'.repeat(64);
    const events = Array.from({ length: 2_000 }, (_, index) =>
      kmsEvent(index === 0 ? 'CreateGrant' : 'RetireGrant', KEY, at(index), {
        requestParameters: { granteePrincipal: `arn:aws:iam::${ACCOUNT}:role/${LONG_PATH}/grantee`, operations: ['Decrypt'], grantId },
        responseElements: { grantId },
      }),
    );

    await recordAll(store, events);

    expect(await sizeOf(grantKey(KEY, grantId))).toBeLessThan(32 * 1024);
  });

  it('the coverage of an account and Region: one small item however many batches arrive', async () => {
    for (let batch = 0; batch < 20; batch += 1) await store.record(Array.from({ length: 50 }, (_, index) => kmsEvent('DescribeKey', KEY, at(batch * 100 + index))));

    expect(await sizeOf({ pk: coveragePk(ACCOUNT, 'us-east-1'), sk: COVERAGE_SK })).toBeLessThan(1024);
  });

  it('a decision: evidence of 500 KB is cut to the decision budget before it is stored', async () => {
    const decisions = new DynamoDbDecisionStore(client, tableName);
    const decision = {
      decisionId: 'huge', action: 'alert' as const, keyArn: KEY, reasons: ['old-use'], evidence: { trigger: 'schedule', blob: 'x'.repeat(500_000) },
      eventId: 'e-huge', decidedAt: at(0), accountId: ACCOUNT, region: 'us-east-1', dryRun: false,
    };

    await enactDecision({ decisions, publisher: { publish: async () => {} } }, decision, async () => []);

    expect(await sizeOf(decisionKey('huge'))).toBeLessThan(70 * 1024);
  });

  it('no item in the table is over the limit', async () => {
    expect((await itemSizes(client, tableName))[0]?.bytes).toBeLessThan(DYNAMODB_ITEM_LIMIT_BYTES);
  });
});
