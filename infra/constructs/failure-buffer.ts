/**
 * A queue of its own in front of a failure route (calls failing on a disabled key or a key pending deletion):
 * anyone holding only kms:Decrypt can flood those, so they are read in batches by at most `maxConcurrency`
 * executions of the consumer instead of one execution per failed call.
 *
 * Invariant (the deletion guard consumes its queue and is also invoked directly by ScheduleKeyDeletion): the
 * consumer's reserved concurrency is larger than the event source's maximumConcurrency, so at least
 * `reserved - maxConcurrency` executions are always left for the schedulings, whatever the flood.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigError } from '../../lib/errors.js';
import { acknowledge } from '../nag.js';
import { deadLetterQueue, secureQueue } from './secure-queue.js';

export interface FailureBufferProps {
  readonly consumer: lambda.IFunction;
  /** The consumer's timeout; the queue's visibility timeout is six times it, as Lambda recommends. */
  readonly consumerTimeout: Duration;
  /** The consumer's reserved concurrency, when it has one; must exceed `maxConcurrency`. */
  readonly consumerReservedConcurrency?: number;
  /** What the queue holds, for the DLQ's description. */
  readonly purpose: string;
  /** Messages per invocation. Default 500. */
  readonly batchSize?: number;
  /** How long Lambda gathers messages before invoking. Default 2 seconds (a workload is failing: react fast). */
  readonly maxBatchingWindow?: Duration;
  /** Receives before a message moves to the DLQ. Default 5. */
  readonly maxReceiveCount?: number;
  /** Concurrent batches (2 to 1000, the SQS event source's range). Default 2. */
  readonly maxConcurrency?: number;
}

export class FailureBuffer extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly maxConcurrency: number;

  constructor(scope: Construct, id: string, props: FailureBufferProps) {
    super(scope, id);
    this.maxConcurrency = props.maxConcurrency ?? 2;
    const reserved = props.consumerReservedConcurrency;
    if (reserved !== undefined && this.maxConcurrency >= reserved) {
      throw new ConfigError(
        `${id}: maxConcurrency ${this.maxConcurrency} must be below the consumer's reserved concurrency ${reserved}, or a flood could take every execution it has`,
      );
    }
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters', `${props.purpose} the consumer failed 5 times`);
    this.queue = secureQueue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    props.consumer.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? 500,
        maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(2),
        reportBatchItemFailures: true,
        maxConcurrency: this.maxConcurrency,
      }),
    );
    acknowledge(
      props.consumer,
      'Serverless-LambdaEventSourceMappingDestination',
      'SQS event source mappings support no on-failure destination (only streams and Kafka do); messages that keep failing move to the queue\'s redrive DLQ after maxReceiveCount receives.',
    );
  }
}
