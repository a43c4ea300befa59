/**
 * Alarms that say the guard is not doing its job: function errors, anything sitting in a dead-letter queue, and
 * the heartbeat: no read-only KMS event recorded for a while means absence of use has stopped being evidence.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { KMS_THROTTLED_MESSAGE } from '../../lib/adapters/kms-throttle-watch.js';

export interface OperationalAlarmsProps {
  readonly functions: readonly { readonly name: string; readonly function: lambda.IFunction }[];
  readonly deadLetterQueues: readonly { readonly name: string; readonly queue: sqs.IQueue }[];
  /** The usage buffer: alarms when its oldest message waits longer than `bufferMaxAge`. */
  readonly usageBuffer?: sqs.IQueue;
  /** Default 15 minutes. */
  readonly bufferMaxAge?: Duration;
  /** SNS topic the alarms notify. Default none (alarms change state only). */
  readonly alarmTopicArn?: string;
  /**
   * The usage tracker's logs: its "batch recorded" line counts the read-only events it recorded (`readOnlyEvents`).
   * Alarms when none was recorded for `hours` hours in a row (missing data counts as none). Default no heartbeat alarm.
   */
  readonly usageHeartbeat?: { readonly logGroup: logs.ILogGroup; readonly hours: number };
  /** Queues of the failure routes: alarms when their oldest message waits longer than `bufferMaxAge`. Default none. */
  readonly failureBuffers?: readonly { readonly name: string; readonly queue: sqs.IQueue }[];
  /** Logs of the functions that call KMS: their "kms throttled" lines (kms-throttle-watch.ts) feed the KMS throttle alarm. Default none. */
  readonly kmsThrottles?: readonly { readonly name: string; readonly logGroup: logs.ILogGroup }[];
  /**
   * The sweep work queue: alarms when its oldest item waits longer than `maxAge` (the sweeps take longer than their
   * period, or a worker is stuck). Default no sweep-duration alarm.
   */
  readonly sweepQueue?: {
    readonly queue: sqs.IQueue;
    readonly maxAge: Duration;
    /** The sweep worker's logs: their "sweep work item done" lines carry secondsSincePlanned (the sweep-lag alarm). */
    readonly workerLogs?: logs.ILogGroup;
  };
}

/** Namespace and name of the metric the guard's "kms throttled" log lines feed (one per throttled attempt). */
export const KMS_THROTTLE_METRIC = { namespace: 'KmsGuard', name: 'KmsThrottledCalls' } as const;

/** Seconds from a sweep's hourly plan to the end of one of its parts, from the sweep worker's logs. */
export const SWEEP_LAG_METRIC = { namespace: 'KmsGuard', name: 'SweepSecondsSincePlanned' } as const;

/** Namespace and name of the heartbeat metric the usage tracker's logs feed. */
export const HEARTBEAT_METRIC = { namespace: 'KmsGuard', name: 'ReadOnlyKmsEventsRecorded' } as const;

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
    for (const { name, function: fn } of props.functions) {
      // A guard function Lambda refused to run: its reserved concurrency (or the account's) is used up.
      add(`${name}-throttles`, {
        alarmDescription: `kms-guard ${name} was throttled by Lambda (concurrency used up); check for a flood of events and the function's reserved concurrency`,
        metric: fn.metricThrottles({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    const throttleFilters = (props.kmsThrottles ?? []).map(
      ({ name, logGroup }) =>
        new logs.MetricFilter(this, `${name}-kms-throttled`, {
          logGroup,
          metricNamespace: KMS_THROTTLE_METRIC.namespace,
          metricName: KMS_THROTTLE_METRIC.name,
          filterPattern: logs.FilterPattern.stringValue('$.message', '=', KMS_THROTTLED_MESSAGE),
          metricValue: '1',
        }),
    );
    const [firstThrottleFilter] = throttleFilters;
    if (firstThrottleFilter !== undefined) {
      // Every filter feeds the same metric (no dimensions): one alarm for all the guard's KMS callers.
      add('kms-throttles', {
        alarmDescription:
          'kms-guard: KMS throttled the guard\'s own calls (the log line "kms throttled" names the API). The guard shares the account\'s KMS quotas with its workloads: look for a flood of failed calls or a sweep over many keys.',
        metric: firstThrottleFilter.metric({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    for (const { name, queue } of props.failureBuffers ?? []) {
      add(`${name}-buffer-age`, {
        alarmDescription: `kms-guard is falling behind on ${name}: the oldest buffered failed call is getting old (a flood, or the consumer failing)`,
        metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: (props.bufferMaxAge ?? Duration.minutes(15)).toSeconds(),
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
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
    if (props.usageHeartbeat !== undefined) {
      const { logGroup, hours } = props.usageHeartbeat;
      const filter = new logs.MetricFilter(this, 'ReadOnlyEventsRecorded', {
        logGroup,
        metricNamespace: HEARTBEAT_METRIC.namespace,
        metricName: HEARTBEAT_METRIC.name,
        filterPattern: logs.FilterPattern.all(
          logs.FilterPattern.stringValue('$.message', '=', 'batch recorded'),
          logs.FilterPattern.numberValue('$.readOnlyEvents', '>', 0),
        ),
        metricValue: '$.readOnlyEvents',
      });
      add('usage-heartbeat', {
        alarmDescription:
          `kms-guard: no read-only KMS event (Decrypt, DescribeKey…) recorded for ${hours} h. Check the trail (read-only management ` +
          'events), the UsageAndLifecycle rule and the usage tracker: until they arrive, no-recorded-use cannot allow a deletion.',
        metric: filter.metric({ period: Duration.hours(1), statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        evaluationPeriods: hours,
        datapointsToAlarm: hours,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
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
    if (props.sweepQueue !== undefined) {
      add('sweep-duration', {
        alarmDescription:
          `kms-guard sweeps are not finishing: a sweep work item has waited more than ${props.sweepQueue.maxAge.toMinutes()} minutes. ` +
          'Keys pending deletion and stale grants are judged late; check the sweep worker\'s logs and throttling (docs/performance.md).',
        metric: props.sweepQueue.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: props.sweepQueue.maxAge.toSeconds(),
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      if (props.sweepQueue.workerLogs !== undefined) {
        // The queue's age sees an item that waits; this sees a sweep that runs long (its parts follow one another).
        const lag = new logs.MetricFilter(this, 'SweepLag', {
          logGroup: props.sweepQueue.workerLogs,
          metricNamespace: SWEEP_LAG_METRIC.namespace,
          metricName: SWEEP_LAG_METRIC.name,
          filterPattern: logs.FilterPattern.stringValue('$.message', '=', 'sweep work item done'),
          metricValue: '$.secondsSincePlanned',
        });
        add('sweep-lag', {
          alarmDescription:
            `kms-guard sweeps run long: a sweep part finished more than ${props.sweepQueue.maxAge.toMinutes()} minutes after its hourly plan. ` +
            'The next hour\'s sweep is already due; raise sweepKmsBudgetPercent or check throttling (docs/performance.md).',
          metric: lag.metric({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
          threshold: props.sweepQueue.maxAge.toSeconds(),
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      }
    }
  }
}
