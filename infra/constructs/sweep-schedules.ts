/** EventBridge Scheduler schedules for the sweeps listed in SCHEDULES (lib/routing.ts). */
import { Aws, type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigError } from '../../lib/errors.js';
import { SCHEDULES, type FunctionName } from '../../lib/routing.js';
import { acknowledge } from '../nag.js';

export interface SweepSchedulesProps {
  readonly functions: Readonly<Partial<Record<FunctionName, lambda.IFunction>>>;
  /** Invocations the Scheduler could not deliver after its retries. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Default SCHEDULES. */
  readonly schedules?: readonly { readonly target: FunctionName; readonly rate: string }[];
}

export class SweepSchedules extends Construct {
  readonly schedules: scheduler.Schedule[];

  constructor(scope: Construct, id: string, props: SweepSchedulesProps) {
    super(scope, id);
    this.schedules = (props.schedules ?? SCHEDULES).map(({ target, rate }) => {
      const fn = props.functions[target];
      if (fn === undefined) throw new ConfigError(`schedule for "${target}": no such function was given`);
      // One role per schedule so its finding can be acknowledged where it arises.
      const role = new iam.Role(this, `${target}-role`, {
        assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
        description: `kms-guard: EventBridge Scheduler invokes ${target}`,
      });
      const logicalId = Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement);
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        'lambda:InvokeFunction on this one function and its versions/aliases (CDK grantInvoke adds ARN:*); no other function.',
      );
      return new scheduler.Schedule(this, target, {
        description: `kms-guard ${target} (${rate})`,
        schedule: scheduler.ScheduleExpression.expression(rate),
        target: new LambdaInvoke(fn, {
          role,
          deadLetterQueue: props.deadLetterQueue,
          retryAttempts: 3,
          // A sweep older than its period is superseded by the next one.
          maxEventAge: Duration.hours(1),
        }),
      });
    });
  }
}
