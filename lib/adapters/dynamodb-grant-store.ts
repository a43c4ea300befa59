/**
 * GrantStore on the single table: grants sit under their key; active ones also in the sparse gsi1, which every
 * query reads, so closed grants (kept only to stay closed, then expired by TTL) are never read back.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { close, isClosed, mergeDiscoveredGrant } from '../domain/grant-ledger.js';
import type { GrantRecord, GrantStatus } from '../domain/model.js';
import type { GrantStore } from '../domain/ports.js';
import { activeGrantSk, grantItem, grantKey, readGrant, strings } from './dynamodb-items.js';
import { type OccOptions, readModifyWrite } from './dynamodb-occ.js';
import { queryAll } from './dynamodb-pages.js';
import { GSI1, GSI1_ACTIVE_GRANT } from './dynamodb-table.js';

export class DynamoDbGrantStore implements GrantStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: OccOptions = {},
  ) {}

  async listGrants(keyArn: string): Promise<GrantRecord[]> {
    return this.queryActive({ KeyConditionExpression: 'gsi1pk = :active AND begins_with(gsi1sk, :key)', ':key': activeGrantSk(keyArn, '') });
  }

  async listActiveGrants(): Promise<GrantRecord[]> {
    return this.queryActive({ KeyConditionExpression: 'gsi1pk = :active' });
  }

  /** One grant whatever its status (tests and investigations; the use cases read active grants only). */
  async getGrant(keyArn: string, grantId: string): Promise<GrantRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: grantKey(keyArn, grantId), ConsistentRead: true }));
    return readGrant(Item);
  }

  /** A closed grant stays closed; what CloudTrail told us (creator, invokedBy) survives a ListGrants refresh. */
  async upsertDiscoveredGrants(grants: readonly GrantRecord[]): Promise<GrantRecord[]> {
    return Promise.all(
      grants.map((discovered) =>
        this.update(discovered.keyArn, discovered.grantId, (stored) => mergeDiscoveredGrant(stored, discovered)),
      ),
    );
  }

  async closeGrant(keyArn: string, grantId: string, status: Exclude<GrantStatus, 'active'>, at: string, by: string): Promise<void> {
    await this.update(keyArn, grantId, (stored) => {
      if (stored !== undefined && isClosed(stored)) return undefined;
      // Unknown until now: a closed stub keeps a later-seen CreateGrant from reopening it.
      const grant = stored ?? { grantId, keyArn, operations: [], createdAt: at, status: 'active', source: 'list-grants' };
      return close(grant, status, at, by);
    });
  }

  private async queryActive(query: { KeyConditionExpression: string; ':key'?: string }): Promise<GrantRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: GSI1,
      KeyConditionExpression: query.KeyConditionExpression,
      ExpressionAttributeValues: { ':active': GSI1_ACTIVE_GRANT, ...(query[':key'] === undefined ? {} : { ':key': query[':key'] }) },
    });
    // The index is eventually consistent: a grant closed a moment ago may still be listed; callers treat it as active.
    return items.flatMap((item) => readGrant(item) ?? []);
  }

  /** Applies `change` and returns the grant as the store then holds it (the stored one when nothing changed). */
  private async update(keyArn: string, grantId: string, change: (stored: GrantRecord | undefined) => GrantRecord | undefined): Promise<GrantRecord> {
    let result: GrantRecord | undefined;
    await readModifyWrite(this.client, this.tableName, grantKey(keyArn, grantId), (item) => {
      const stored = readGrant(item);
      const next = change(stored);
      result = next ?? stored;
      return next === undefined ? undefined : grantItem(next, strings(item?.appliedEventIds));
    }, this.options);
    if (result === undefined) throw new Error(`grant ${grantId} of ${keyArn}: nothing to store`);
    return result;
  }
}
