/**
 * DecisionStore on the single table. A claim is one conditional PutItem, so of concurrent claims for the same
 * decisionId exactly one wins; a decision whose action failed may be claimed again.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ActionOutcome, Decision } from '../domain/model.js';
import type { DecisionStore } from '../domain/ports.js';
import { decisionItem, decisionKey, readDecision } from './dynamodb-items.js';
import { queryAll } from './dynamodb-pages.js';
import { GSI1, GSI1_DECISION } from './dynamodb-table.js';

export class DynamoDbDecisionStore implements DecisionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(decision: Decision): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: decisionItem(decision, 'claimed'),
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :failed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed' },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async complete(decisionId: string, outcome: readonly ActionOutcome[]): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: decisionKey(decisionId),
        UpdateExpression: 'SET #status = :status, #data.#outcome = :outcome',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status', '#data': 'data', '#outcome': 'outcome' },
        ExpressionAttributeValues: {
          ':status': outcome.some((call) => call.result === 'failed') ? 'failed' : 'done',
          ':outcome': outcome,
        },
      }),
    );
  }

  async get(decisionId: string): Promise<Decision | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: decisionKey(decisionId), ConsistentRead: true }));
    return readDecision(Item);
  }

  /** Every decision, oldest first (gsi1 sorts them by decidedAt). */
  async list(): Promise<Decision[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :decision',
      ExpressionAttributeValues: { ':decision': GSI1_DECISION },
    });
    return items.flatMap((item) => readDecision(item) ?? []);
  }
}
