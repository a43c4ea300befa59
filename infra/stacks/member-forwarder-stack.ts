/**
 * Org mode, per member account and Region: forwards the account's KMS events to the central guard bus in
 * the same Region. Patterns come from ROUTES via forwardingRules(), so members forward what the guard routes.
 */
import { Aws, DefaultStackSynthesizer, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { deadLetterQueue } from '../constructs/secure-queue.js';
import { cfnEventPattern, forwardingRules } from '../event-routing.js';
import { accountId } from '../settings.js';
import { GUARD_BUS_NAME } from './guard-stack.js';

export interface MemberForwarderStackProps extends StackProps {
  /** The account running the guard (KmsGuardStack). */
  readonly centralAccountId: string;
  /** Name of the guard bus in the central account. Default `kms-guard`. */
  readonly guardBusName?: string;
}

export class MemberForwarderStack extends Stack {
  readonly rules: events.CfnRule[];

  constructor(scope: Construct, id: string, props: MemberForwarderStackProps) {
    // No bootstrap-version rule: the template also deploys through StackSets to un-bootstrapped accounts.
    super(scope, id, { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }), ...props });
    const central = accountId(props.centralAccountId, 'centralAccountId');
    // Cross-account delivery happens in one Region; the guard is deployed per Region, so is this stack.
    const guardBusArn = `arn:${Aws.PARTITION}:events:${Aws.REGION}:${central}:event-bus/${props.guardBusName ?? GUARD_BUS_NAME}`;
    const role = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'kms-guard: EventBridge forwards this account\'s KMS events to the central guard bus',
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [guardBusArn] }));
    const undelivered = deadLetterQueue(this, 'UndeliveredEvents', 'KMS events EventBridge could not forward to the guard');

    this.rules = forwardingRules().map(
      (rule) =>
        new events.CfnRule(this, rule.id, {
          description: `kms-guard: forward ${rule.pattern.source?.toString()} events to the guard in account ${central}`,
          eventPattern: cfnEventPattern(rule.pattern),
          state: rule.state,
          targets: [
            {
              id: 'GuardBus',
              arn: guardBusArn,
              roleArn: role.roleArn,
              deadLetterConfig: { arn: undelivered.queueArn },
              retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: Duration.hours(24).toSeconds() },
            },
          ],
        }),
    );
    undelivered.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [undelivered.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.rules.map((rule) => rule.attrArn) } },
      }),
    );
  }
}
