import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { grantKey } from '../../lib/adapters/dynamodb-items.js';
import { DynamoDbGrantStore } from '../../lib/adapters/dynamodb-grant-store.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { CLOSED_GRANT_RETENTION_DAYS } from '../../lib/domain/grants/closed-grant-retention.js';
import type { GrantRecord } from '../../lib/domain/model.js';
import { EBS, keyArn, kmsEvent } from '../domain/usage-test-events.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';

const client = dynamoTestClient();
const KEY = keyArn('g');
const OTHER_KEY = keyArn('h');

const discovered = (grantId: string, keyArnOf = KEY): GrantRecord => ({
  grantId,
  keyArn: keyArnOf,
  granteePrincipal: 'arn:aws:iam::111122223333:role/app',
  operations: ['Decrypt'],
  createdAt: '2024-05-01T00:00:00.000Z',
  status: 'active',
  source: 'list-grants',
});

describe('the DynamoDB grant store', () => {
  let table: string;
  let grants: DynamoDbGrantStore;
  let usage: DynamoDbUsageStore;
  const rawItem = async (keyArnOf: string, grantId: string) =>
    (await client.send(new GetCommand({ TableName: table, Key: grantKey(keyArnOf, grantId), ConsistentRead: true }))).Item;

  beforeAll(async () => {
    table = await createTestTable(client);
    grants = new DynamoDbGrantStore(client, table);
    usage = new DynamoDbUsageStore(client, table);
  });

  it('lists only the active grants CloudTrail created, per key and across keys', async () => {
    await usage.record([
      kmsEvent('CreateGrant', KEY, '2024-05-01T00:00:00.000Z', { caller: EBS, responseElements: { grantId: 'open' } }),
      kmsEvent('CreateGrant', KEY, '2024-05-01T00:00:00.000Z', { responseElements: { grantId: 'retired' } }),
      kmsEvent('RetireGrant', KEY, '2024-05-02T00:00:00.000Z', { requestParameters: { grantId: 'retired' } }),
      kmsEvent('CreateGrant', OTHER_KEY, '2024-05-01T00:00:00.000Z', { responseElements: { grantId: 'elsewhere' } }),
    ]);

    expect((await grants.listGrants(KEY)).map((grant) => grant.grantId)).toEqual(['open']);
    expect((await grants.listActiveGrants()).map((grant) => grant.grantId).sort()).toEqual(['elsewhere', 'open']);
    expect(await grants.getGrant(KEY, 'retired')).toMatchObject({ status: 'retired', closedAt: '2024-05-02T00:00:00.000Z' });
  });

  it(`lets a closed grant expire ${CLOSED_GRANT_RETENTION_DAYS} days after it closed, and never an active one`, async () => {
    const closedAt = Date.parse('2024-05-02T00:00:00.000Z') / 1000;

    expect((await rawItem(KEY, 'retired'))?.expiresAt).toBe(closedAt + CLOSED_GRANT_RETENTION_DAYS * 86_400);
    expect((await rawItem(KEY, 'open'))?.expiresAt).toBeUndefined();
  });

  it('refreshes discovered grants without losing what CloudTrail said or reopening closed ones, and says what it stored', async () => {
    const stored = await grants.upsertDiscoveredGrants([discovered('open'), discovered('retired'), discovered('new')]);

    expect(stored.map((grant) => [grant.grantId, grant.status])).toEqual([['open', 'active'], ['retired', 'retired'], ['new', 'active']]);
    expect(stored[0]).toMatchObject({ invokedBy: 'ec2.amazonaws.com', createdBy: EBS.principal });
    expect(await grants.getGrant(KEY, 'retired')).toMatchObject({ status: 'retired' });
    expect((await grants.listGrants(KEY)).map((grant) => grant.grantId).sort()).toEqual(['new', 'open']);
  });

  it('closes a grant once: a second close changes nothing, and the grant leaves the queries', async () => {
    await grants.closeGrant(KEY, 'new', 'revoked', '2024-06-01T00:00:00.000Z', 'kms-guard');
    await grants.closeGrant(KEY, 'new', 'gone', '2024-06-02T00:00:00.000Z', 'sweep');

    expect(await grants.getGrant(KEY, 'new')).toMatchObject({ status: 'revoked', closedAt: '2024-06-01T00:00:00.000Z', closedBy: 'kms-guard' });
    expect((await rawItem(KEY, 'new'))?.expiresAt).toBe(Date.parse('2024-06-01T00:00:00.000Z') / 1000 + CLOSED_GRANT_RETENTION_DAYS * 86_400);
    expect((await grants.listGrants(KEY)).map((listed) => listed.grantId)).toEqual(['open']);
  });

  it('keeps a close seen before its create closed, with an expiry', async () => {
    await grants.closeGrant(KEY, 'early', 'gone', '2024-06-03T00:00:00.000Z', 'kms-guard');
    await usage.record([kmsEvent('CreateGrant', KEY, '2024-06-01T00:00:00.000Z', { responseElements: { grantId: 'early' } })]);

    expect(await grants.getGrant(KEY, 'early')).toMatchObject({ status: 'gone' });
    expect((await rawItem(KEY, 'early'))?.expiresAt).toEqual(expect.any(Number));
    expect((await grants.listGrants(KEY)).map((listed) => listed.grantId)).not.toContain('early');
  });
});
