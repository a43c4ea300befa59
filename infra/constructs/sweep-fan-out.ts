/**
 * The sweep fan-out: an SQS FIFO work queue the hourly planner fills (one item per sweep kind, account and Region)
 * and the sweep worker drains, one item per invocation. Message groups keep one account's sweep of one kind to one
 * worker at a time (so its KMS pacing holds); groups run in parallel up to `maxConcurrency`. Items that keep failing
 * move to a FIFO dead-letter queue (alarmed by the stack, as is the age of the oldest item: the sweep duration).
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

export interface SweepFanOutProps {
  readonly planner: lambda.Function;
  readonly worker: lambda.Function;
  /** The worker's timeout; the queue's visibility timeout is six times it, as Lambda recommends. */
  readonly workerTimeout: Duration;
  /** Without member accounts, the planner lists the organization's accounts (organizations:ListAccounts). */
  readonly listOrganizationAccounts: boolean;
  /** Concurrent workers across all accounts (each account and kind has at most one). Default 20. */
  readonly maxConcurrency?: number;
  /** Receives before an item moves to the dead-letter queue. Default 3. */
  readonly maxReceiveCount?: number;
}

const fifoQueue = (scope: Construct, id: string, props: Partial<sqs.QueueProps> = {}): sqs.Queue =>
  new sqs.Queue(scope, id, {
    fifo: true,
    // Each item carries its own deduplication id (kind, scope, account, Region, planned hour, part).
    contentBasedDeduplication: false,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    ...props,
  });

export class SweepFanOut extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: SweepFanOutProps) {
    super(scope, id);
    this.deadLetterQueue = fifoQueue(this, 'DeadLetters');
    const reason = 'This queue is itself the dead-letter queue (sweep work items that failed 3 times); its depth is alarmed.';
    acknowledge(this.deadLetterQueue, 'AwsSolutions-SQS3', reason);
    acknowledge(this.deadLetterQueue, 'Serverless-SQSRedrivePolicy', reason);
    this.queue = fifoQueue(this, 'WorkItems', {
      visibilityTimeout: Duration.seconds(props.workerTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 3 },
    });
    this.queue.grantSendMessages(props.planner);
    // Continuations: a worker that runs out of time queues the rest of its account.
    this.queue.grantSendMessages(props.worker);
    for (const fn of [props.planner, props.worker]) fn.addEnvironment('KMS_GUARD_SWEEP_QUEUE_URL', this.queue.queueUrl);
    props.worker.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 20,
      }),
    );
    acknowledge(
      props.worker,
      'Serverless-LambdaEventSourceMappingDestination',
      'SQS event source mappings support no on-failure destination (only streams and Kafka do); items that keep failing move to the queue\'s redrive DLQ after maxReceiveCount receives.',
    );
    if (props.listOrganizationAccounts) {
      props.planner.addEnvironment('KMS_GUARD_LIST_ORGANIZATION_ACCOUNTS', 'true');
      props.planner.addToRolePolicy(new iam.PolicyStatement({ sid: 'ListOrganizationAccounts', actions: ['organizations:ListAccounts'], resources: ['*'] }));
      acknowledge(
        props.planner,
        'AwsSolutions-IAM5[Resource::*]',
        'organizations:ListAccounts supports no resource-level permission; it only reads the account list (from the management or a delegated administrator account).',
      );
    }
  }
}
