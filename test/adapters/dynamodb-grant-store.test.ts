import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbGrantStore } from '../../lib/adapters/dynamodb-grant-store.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import type { GrantRecord } from '../../lib/domain/model.js';
import { EBS, keyArn, kmsEvent } from '../domain/usage-test-events.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';

const client = dynamoTestClient();
const KEY = keyArn('g');

const discovered = (grantId: string): GrantRecord => ({
  grantId,
  keyArn: KEY,
  granteePrincipal: 'arn:aws:iam::111122223333:role/app',
  operations: ['Decrypt'],
  createdAt: '2024-05-01T00:00:00.000Z',
  status: 'active',
  source: 'list-grants',
});

describe('the DynamoDB grant store', () => {
  let grants: DynamoDbGrantStore;
  let usage: DynamoDbUsageStore;
  beforeAll(async () => {
    const table = await createTestTable(client);
    grants = new DynamoDbGrantStore(client, table);
    usage = new DynamoDbUsageStore(client, table);
  });

  it('lists the grants CloudTrail created, and only open ones as active', async () => {
    await usage.record([
      kmsEvent('CreateGrant', KEY, '2024-05-01T00:00:00.000Z', { caller: EBS, responseElements: { grantId: 'open' } }),
      kmsEvent('CreateGrant', KEY, '2024-05-01T00:00:00.000Z', { responseElements: { grantId: 'retired' } }),
      kmsEvent('RetireGrant', KEY, '2024-05-02T00:00:00.000Z', { requestParameters: { grantId: 'retired' } }),
    ]);

    const all = await grants.listGrants(KEY);
    const active = await grants.listActiveGrants();

    expect(all.map((grant) => [grant.grantId, grant.status]).sort()).toEqual([['open', 'active'], ['retired', 'retired']]);
    expect(active.map((grant) => grant.grantId)).toEqual(['open']);
  });

  it('refreshes discovered grants without losing what CloudTrail said or reopening closed ones', async () => {
    await grants.upsertDiscoveredGrants([discovered('open'), discovered('retired'), discovered('new')]);

    const byId = new Map((await grants.listGrants(KEY)).map((grant) => [grant.grantId, grant]));

    expect(byId.get('open')).toMatchObject({ status: 'active', invokedBy: 'ec2.amazonaws.com', createdBy: EBS.principal });
    expect(byId.get('retired')?.status).toBe('retired');
    expect(byId.get('new')?.source).toBe('list-grants');
  });

  it('closes a grant once: a second close changes nothing', async () => {
    await grants.closeGrant(KEY, 'new', 'revoked', '2024-06-01T00:00:00.000Z', 'kms-guard');
    await grants.closeGrant(KEY, 'new', 'gone', '2024-06-02T00:00:00.000Z', 'sweep');

    const grant = (await grants.listGrants(KEY)).find((listed) => listed.grantId === 'new');

    expect(grant).toMatchObject({ status: 'revoked', closedAt: '2024-06-01T00:00:00.000Z', closedBy: 'kms-guard' });
    expect((await grants.listActiveGrants()).map((listed) => listed.grantId)).not.toContain('new');
  });
});
