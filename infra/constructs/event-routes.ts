/**
 * EventBridge rules generated from ROUTES (lib/routing.ts). CfnRule rather than events.Rule: only the L1
 * can set ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, without which read-only calls such as Decrypt
 * never reach the usage tracker.
 */
import { Duration, Lazy, Names } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ROUTES, type EventPattern, type EventRoute, type FunctionName } from '../../lib/routing.js';
import { ConfigError } from '../../lib/errors.js';
import { cfnEventPattern, type RuleState } from '../event-routing.js';

export interface EventRoutesProps {
  /** The bus the rules listen on. Default: the account's default bus. */
  readonly eventBus?: events.IEventBus;
  readonly functions: Readonly<Partial<Record<FunctionName, lambda.IFunction>>>;
  /** Target of `viaQueue` routes (the usage buffer). */
  readonly usageQueue: sqs.IQueue;
  /** Targets of `ownQueue` routes, by route id (infra/constructs/failure-buffer.ts). Default none. */
  readonly routeQueues?: Readonly<Record<string, sqs.IQueue>>;
  /** Events EventBridge could not deliver after its retries. */
  readonly deliveryDeadLetterQueue: sqs.IQueue;
  /** Default ROUTES. */
  readonly routes?: readonly EventRoute[];
  /** How long EventBridge keeps retrying a delivery. Default 24 hours (its maximum). */
  readonly maximumEventAge?: Duration;
}

export interface RuleSpec {
  readonly id: string;
  readonly description: string;
  readonly pattern: EventPattern;
  readonly state: RuleState;
  readonly target: { readonly kind: 'function'; readonly function: lambda.IFunction } | { readonly kind: 'queue'; readonly queue: sqs.IQueue };
}

export class EventRoutes extends Construct {
  readonly rules: events.CfnRule[] = [];
  private readonly queueSenders = new Map<sqs.IQueue, string[]>();

  constructor(scope: Construct, id: string, private readonly props: EventRoutesProps) {
    super(scope, id);
    for (const route of props.routes ?? ROUTES) {
      const fn = props.functions[route.target];
      if (fn === undefined) throw new ConfigError(`route ${route.id}: no function "${route.target}" was given`);
      this.addRule({
        id: route.id,
        description: `kms-guard ${route.target}: ${route.description}`,
        pattern: route.pattern,
        state: route.state,
        target: route.viaQueue ? { kind: 'queue', queue: this.queueOf(route) } : { kind: 'function', function: fn },
      });
    }
  }

  private queueOf(route: EventRoute): sqs.IQueue {
    if (route.ownQueue !== true) return this.props.usageQueue;
    const queue = this.props.routeQueues?.[route.id];
    if (queue === undefined) throw new ConfigError(`route ${route.id}: it needs a queue of its own and none was given`);
    return queue;
  }

  /** Adds one rule with its target, retry policy, DLQ and the resource permissions EventBridge needs. */
  addRule(spec: RuleSpec): events.CfnRule {
    const rule = new events.CfnRule(this, spec.id, {
      description: spec.description.slice(0, 512),
      eventBusName: this.props.eventBus?.eventBusName,
      eventPattern: cfnEventPattern(spec.pattern),
      state: spec.state,
      targets: [
        {
          id: 'Target',
          arn: spec.target.kind === 'function' ? spec.target.function.functionArn : spec.target.queue.queueArn,
          deadLetterConfig: { arn: this.props.deliveryDeadLetterQueue.queueArn },
          retryPolicy: {
            maximumRetryAttempts: 185,
            maximumEventAgeInSeconds: (this.props.maximumEventAge ?? Duration.hours(24)).toSeconds(),
          },
        },
      ],
    });
    this.rules.push(rule);
    if (spec.target.kind === 'function') {
      spec.target.function.addPermission(`Invoke${Names.uniqueId(rule)}`.slice(0, 200), {
        principal: new iam.ServicePrincipal('events.amazonaws.com'),
        sourceArn: rule.attrArn,
      });
    } else {
      this.allowSend(spec.target.queue, rule);
    }
    this.allowSend(this.props.deliveryDeadLetterQueue, rule);
    return rule;
  }

  /** One statement per queue listing every rule that may send to it (queue policies are size-limited). */
  private allowSend(queue: sqs.IQueue, rule: events.CfnRule): void {
    const senders = this.queueSenders.get(queue);
    if (senders !== undefined) {
      senders.push(rule.attrArn);
      return;
    }
    const arns = [rule.attrArn];
    this.queueSenders.set(queue, arns);
    queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AllowRulesOf${Names.uniqueId(this)}`.slice(0, 100),
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        // Resolved at synth time so rules added later are included.
        conditions: { ArnEquals: { 'aws:SourceArn': Lazy.list({ produce: () => arns }) } },
      }),
    );
  }
}
