/**
 * Stateful resources: the single table, the guard's event bus and the Slack webhook secret.
 * Kept apart from the functions so the stateless side can be replaced without touching data.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { tableDefinition } from '../../lib/adapters/dynamodb-table.js';
import { acknowledge } from '../nag.js';
import { cdkTableSchema } from '../table-schema.js';

export interface GuardStateProps {
  /** Name of the guard's bus, which carries decision events (source `kms-guard`). Default `kms-guard`. */
  readonly eventBusName?: string;
  /** Name of the secret holding the Slack Incoming Webhook URL (set its value after deploying). */
  readonly slackSecretName: string;
  /** What happens to the table when the stack is deleted. Default RETAIN: usage history is evidence. */
  readonly tableRemovalPolicy?: RemovalPolicy;
}

export class GuardState extends Construct {
  readonly table: dynamodb.Table;
  readonly bus: events.EventBus;
  readonly slackSecret: secretsmanager.Secret;
  readonly indexNames: readonly string[];

  constructor(scope: Construct, id: string, props: GuardStateProps) {
    super(scope, id);
    // The schema comes from the adapter's definition, the one the replay CLI and tests create locally.
    const schema = cdkTableSchema(tableDefinition('kms-guard'));
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: schema.partitionKey,
      sortKey: schema.sortKey,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: schema.timeToLiveAttribute,
      removalPolicy: props.tableRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    for (const index of schema.globalSecondaryIndexes) this.table.addGlobalSecondaryIndex(index);
    this.indexNames = schema.globalSecondaryIndexes.map((index) => index.indexName);

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.eventBusName ?? 'kms-guard' });

    this.slackSecret = new secretsmanager.Secret(this, 'SlackWebhook', {
      secretName: props.slackSecretName,
      description: 'Slack Incoming Webhook URL for kms-guard alerts. Replace the generated value with the URL after deploying.',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.slackSecret,
      'AwsSolutions-SMG4',
      'A Slack Incoming Webhook URL is issued by Slack and cannot be rotated by a rotation Lambda; rotate it in Slack and update the secret.',
    );
  }
}
