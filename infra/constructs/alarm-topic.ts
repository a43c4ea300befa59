/**
 * Where the guard's alarms go: the topic named with `-c alarmTopicArn=…`, else one the stack creates
 * (`kms-guard-alarms`), with an email subscription when `-c alarmEmail=…` is given. Subscribe more endpoints with
 * `aws sns subscribe` (README.md, "Alarms"); an alarm that notifies no one is only a state change.
 */
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

export interface AlarmTopicProps {
  /** An existing topic (the organization's ops topic). Default: the stack creates one. */
  readonly alarmTopicArn?: string;
  /** Subscribed by email to the created topic (the address confirms the subscription). Default none. */
  readonly alarmEmail?: string;
}

export class AlarmTopic extends Construct {
  readonly topic: sns.ITopic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    if (props.alarmTopicArn !== undefined) {
      this.topic = sns.Topic.fromTopicArn(this, 'Topic', props.alarmTopicArn);
    } else {
      const topic = new sns.Topic(this, 'Topic', { topicName: 'kms-guard-alarms', displayName: 'kms-guard alarms', enforceSSL: true });
      acknowledge(
        topic,
        'AwsSolutions-SNS2',
        'CloudWatch cannot publish to a topic encrypted with the AWS-managed aws/sns key, and the messages carry only alarm names, states and descriptions (no key material or evidence); delivery is TLS-only (enforceSSL).',
      );
      if (props.alarmEmail !== undefined) topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
      this.topic = topic;
    }
  }
}
