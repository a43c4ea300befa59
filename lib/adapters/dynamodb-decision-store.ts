/**
 * DecisionStore on the single table. A claim is one conditional PutItem, so of concurrent claims for the same
 * decisionId exactly one wins; a decision whose action failed, or whose claimer's lease ran out before it
 * completed (a crash between claim and act), may be claimed again.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { claimLeaseUntil } from '../domain/decision-claim.js';
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
          Item: { ...decisionItem(decision, 'claimed'), leaseUntil: claimLeaseUntil(decision) },
          // A claim from before leases (no leaseUntil) that never completed is as good as expired.
          ConditionExpression:
            'attribute_not_exists(pk) OR #status = :failed OR (#status = :claimed AND (attribute_not_exists(#lease) OR #lease < :now))',
          ExpressionAttributeNames: { '#status': 'status', '#lease': 'leaseUntil' },
          ExpressionAttributeValues: { ':failed': 'failed', ':claimed': 'claimed', ':now': decision.decidedAt },
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
        UpdateExpression: 'SET #status = :status, #data.#outcome = :outcome REMOVE #lease',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status', '#data': 'data', '#outcome': 'outcome', '#lease': 'leaseUntil' },
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
