import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

export interface SecureQueueProps {
  /** Visibility timeout; at least 6x the consuming function's timeout for event sources. Default 30 s. */
  readonly visibilityTimeout?: Duration;
  /** Where messages go after `maxReceiveCount` failed receives; absent for a queue that is itself a DLQ. */
  readonly deadLetterQueue?: sqs.DeadLetterQueue;
}

/** A dead-letter queue (for a queue, a Lambda on-failure destination or an EventBridge/Scheduler target). */
export const deadLetterQueue = (scope: Construct, id: string, purpose: string): sqs.Queue => {
  const queue = secureQueue(scope, id);
  const reason = `This queue is itself the dead-letter queue (${purpose}); a DLQ of a DLQ only moves the problem. Its depth is alarmed.`;
  acknowledge(queue, 'AwsSolutions-SQS3', reason);
  acknowledge(queue, 'Serverless-SQSRedrivePolicy', reason);
  return queue;
};

/**
 * A queue with the settings every queue here needs: TLS only, SSE-SQS (EventBridge and Lambda can write
 * to it without a customer key policy), and 14 days' retention so failures can be inspected and redriven.
 */
export const secureQueue = (scope: Construct, id: string, props: SecureQueueProps = {}): sqs.Queue =>
  new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    ...(props.visibilityTimeout === undefined ? {} : { visibilityTimeout: props.visibilityTimeout }),
    ...(props.deadLetterQueue === undefined ? {} : { deadLetterQueue: props.deadLetterQueue }),
  });
