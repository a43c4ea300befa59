/**
 * CoverageStore on the single table: one item per account and Region. Each bound is one conditional UpdateItem
 * ("earlier than" / "later than"), so concurrent batches never lose an update and a stale one is a no-op, with
 * no read first: the heartbeat is written by every usage-tracker batch.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Coverage, CoverageStore } from '../domain/ports.js';
import { COVERAGE_SK, coveragePk } from './dynamodb-table.js';

export class DynamoDbCoverageStore implements CoverageStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  widenWatchedSince(accountId: string, region: string, since: string): Promise<void> {
    return this.bound(accountId, region, 'watchedSince', since, '>');
  }

  recordUsageArrival(accountId: string, region: string, eventTime: string): Promise<void> {
    return this.bound(accountId, region, 'lastUsageEventAt', eventTime, '<');
  }

  async getCoverage(accountId: string, region: string): Promise<Coverage | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key(accountId, region), ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    return {
      accountId,
      region,
      ...(typeof Item.watchedSince === 'string' ? { watchedSince: Item.watchedSince } : {}),
      ...(typeof Item.lastUsageEventAt === 'string' ? { lastUsageEventAt: Item.lastUsageEventAt } : {}),
    };
  }

  /** Sets the attribute unless the stored value is already as far out (`replaceIf` '>' keeps the minimum, '<' the maximum). */
  private async bound(accountId: string, region: string, attribute: string, value: string, replaceIf: '>' | '<'): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(accountId, region),
          UpdateExpression: 'SET #value = :value, #type = :type, accountId = :account, #region = :region',
          ConditionExpression: `attribute_not_exists(#value) OR #value ${replaceIf} :value`,
          ExpressionAttributeNames: { '#value': attribute, '#type': 'type', '#region': 'region' },
          ExpressionAttributeValues: { ':value': value, ':type': 'coverage', ':account': accountId, ':region': region },
        }),
      );
    } catch (error) {
      // The stored bound is already at least as far out: nothing to change.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

const key = (accountId: string, region: string) => ({ pk: coveragePk(accountId, region), sk: COVERAGE_SK });
