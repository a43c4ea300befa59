/**
 * The SQS buffer in front of the usage tracker: EventBridge writes one message per KMS call, the tracker
 * reads them in large batches so DynamoDB sees one write per key and day per batch, not one per call.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import { deadLetterQueue, secureQueue } from './secure-queue.js';

export interface UsageBufferProps {
  readonly consumer: lambda.IFunction;
  /** The consumer's timeout; the queue's visibility timeout is six times it, as Lambda recommends. */
  readonly consumerTimeout: Duration;
  /** Messages per invocation. Default 1000 (the SQS maximum with a batching window is 10000). */
  readonly batchSize?: number;
  /** How long Lambda gathers messages before invoking. Default 30 seconds. */
  readonly maxBatchingWindow?: Duration;
  /** Receives before a message moves to the DLQ. Default 5. */
  readonly maxReceiveCount?: number;
  /** Concurrent batches; bounds DynamoDB write contention on hot keys. Default 5. */
  readonly maxConcurrency?: number;
}

export class UsageBuffer extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: UsageBufferProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters', 'usage events the tracker failed 5 times');
    this.queue = secureQueue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    props.consumer.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? 1000,
        maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(30),
        // The handler reports the records that failed; only those are retried, then dead-lettered.
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 5,
      }),
    );
    acknowledge(
      props.consumer,
      'Serverless-LambdaEventSourceMappingDestination',
      'SQS event source mappings support no on-failure destination (only streams and Kafka do); messages that keep failing move to the queue\'s redrive DLQ after maxReceiveCount receives.',
    );
  }
}
