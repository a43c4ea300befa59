/** GrantStore on the single table: grants sit under their key; active ones also in the sparse gsi1. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { close, isClosed } from '../domain/grant-ledger.js';
import type { GrantRecord, GrantStatus } from '../domain/model.js';
import type { GrantStore } from '../domain/ports.js';
import { grantItem, grantKey, readGrant, strings } from './dynamodb-items.js';
import { type OccOptions, readModifyWrite } from './dynamodb-occ.js';
import { queryAll } from './dynamodb-pages.js';
import { GSI1, GSI1_ACTIVE_GRANT, grantSk, keyPk } from './dynamodb-table.js';

export class DynamoDbGrantStore implements GrantStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: OccOptions = {},
  ) {}

  async listGrants(keyArn: string): Promise<GrantRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :grant)',
      ExpressionAttributeValues: { ':pk': keyPk(keyArn), ':grant': grantSk('') },
    });
    return items.flatMap((item) => readGrant(item) ?? []);
  }

  async listActiveGrants(): Promise<GrantRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :active',
      ExpressionAttributeValues: { ':active': GSI1_ACTIVE_GRANT },
    });
    return items.flatMap((item) => readGrant(item) ?? []);
  }

  /** A closed grant stays closed; what CloudTrail told us (creator, invokedBy) survives a ListGrants refresh. */
  async upsertDiscoveredGrants(grants: readonly GrantRecord[]): Promise<void> {
    await Promise.all(
      grants.map((discovered) =>
        this.update(discovered.keyArn, discovered.grantId, (stored) => {
          if (stored !== undefined && isClosed(stored)) return undefined;
          return {
            ...discovered,
            createdBy: discovered.createdBy ?? stored?.createdBy,
            invokedBy: discovered.invokedBy ?? stored?.invokedBy,
            createEventId: discovered.createEventId ?? stored?.createEventId,
            createdAt: stored?.createdAt ?? discovered.createdAt,
          };
        }),
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

  private async update(keyArn: string, grantId: string, change: (stored: GrantRecord | undefined) => GrantRecord | undefined): Promise<void> {
    await readModifyWrite(this.client, this.tableName, grantKey(keyArn, grantId), (item) => {
      const next = change(readGrant(item));
      return next === undefined ? undefined : grantItem(next, strings(item?.appliedEventIds));
    }, this.options);
  }
}
