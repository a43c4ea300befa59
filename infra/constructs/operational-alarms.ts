/** Alarms that say the guard is not doing its job: function errors and anything sitting in a dead-letter queue. */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface OperationalAlarmsProps {
  readonly functions: readonly { readonly name: string; readonly function: lambda.IFunction }[];
  readonly deadLetterQueues: readonly { readonly name: string; readonly queue: sqs.IQueue }[];
  /** The usage buffer: alarms when its oldest message waits longer than `bufferMaxAge`. */
  readonly usageBuffer?: sqs.IQueue;
  /** Default 15 minutes. */
  readonly bufferMaxAge?: Duration;
  /** SNS topic the alarms notify. Default none (alarms change state only). */
  readonly alarmTopicArn?: string;
}

export class OperationalAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationalAlarmsProps) {
    super(scope, id);
    const topic = props.alarmTopicArn === undefined ? undefined : sns.Topic.fromTopicArn(this, 'Topic', props.alarmTopicArn);
    const add = (alarmId: string, alarmProps: cloudwatch.AlarmProps): void => {
      const alarm = new cloudwatch.Alarm(this, alarmId, alarmProps);
      if (topic !== undefined) alarm.addAlarmAction(new actions.SnsAction(topic));
      this.alarms.push(alarm);
    };
    for (const { name, function: fn } of props.functions) {
      add(`${name}-errors`, {
        alarmDescription: `kms-guard ${name} failed (check its logs; failed events are in its dead-letter queue)`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    for (const { name, queue } of props.deadLetterQueues) {
      add(`${name}-dead-letters`, {
        alarmDescription: `kms-guard: messages in ${name}; inspect them, fix the cause, then redrive`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    if (props.usageBuffer !== undefined) {
      add('usage-buffer-age', {
        alarmDescription: 'kms-guard usage tracker is falling behind: the oldest buffered KMS event is getting old',
        metric: props.usageBuffer.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: (props.bufferMaxAge ?? Duration.minutes(15)).toSeconds(),
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
  }
}
