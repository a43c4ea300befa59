/**
 * The guard itself (one per Region; in org mode, in the central account): state, functions, the rules
 * generated from ROUTES, the usage buffer, sweep schedules and alarms.
 */
import { Aws, CfnOutput, Duration, Stack, type RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ROUTES } from '../../lib/routing.js';
import { Backfill } from '../constructs/backfill.js';
import { EventRoutes } from '../constructs/event-routes.js';
import { GUARD_ROLE_PATH } from '../constructs/guard-function.js';
import { GuardFunctions } from '../constructs/guard-functions.js';
import { GuardState } from '../constructs/guard-state.js';
import { AlarmTopic } from '../constructs/alarm-topic.js';
import { OperationalAlarms } from '../constructs/operational-alarms.js';
import { deadLetterQueue } from '../constructs/secure-queue.js';
import { SweepFanOut } from '../constructs/sweep-fan-out.js';
import { SweepSchedules } from '../constructs/sweep-schedules.js';
import { UsageBuffer } from '../constructs/usage-buffer.js';
import { FailureBuffer } from '../constructs/failure-buffer.js';
import { accessFor, callsKms, DISABLED_USE_MAX_CONCURRENCY, FUNCTION_ACCESS, PENDING_USE_MAX_CONCURRENCY } from '../function-access.js';
import { isOrgMode, type GuardSettings } from '../settings.js';

/** Source of the decision events the guard publishes on its bus (lib/adapters/eventbridge-publisher.ts). */
export const DECISION_EVENT_SOURCE = 'kms-guard';
export const GUARD_BUS_NAME = 'kms-guard';
/** The only event sources member accounts forward (infra/stacks/member-forwarder-stack.ts). */
export const FORWARDED_SOURCES = ['aws.kms', 'aws.cloudhsm'] as const;

export interface KmsGuardStackProps extends StackProps {
  readonly settings: GuardSettings;
  /** Directory holding `functions/<name>.ts` and package-lock.json. Default the repository. */
  readonly projectRoot?: string;
  /** Default RETAIN (evidence survives a stack deletion); tests may pass DESTROY. */
  readonly tableRemovalPolicy?: RemovalPolicy;
}

export class KmsGuardStack extends Stack {
  readonly state: GuardState;
  readonly functions: GuardFunctions;
  readonly usageBuffer: UsageBuffer;
  /** The queues of the failure routes (ROUTES with ownQueue), by route id. */
  readonly failureBuffers: Readonly<Record<string, FailureBuffer>>;
  readonly sweepFanOut: SweepFanOut;
  /** Present only with `-c backfillBucket=…`. */
  readonly backfill?: Backfill;

  constructor(scope: Construct, id: string, props: KmsGuardStackProps) {
    super(scope, id, props);
    const { settings } = props;
    this.state = new GuardState(this, 'State', {
      eventBusName: GUARD_BUS_NAME,
      slackSecretName: settings.slackSecretName,
      ...(props.tableRemovalPolicy === undefined ? {} : { tableRemovalPolicy: props.tableRemovalPolicy }),
    });
    this.functions = new GuardFunctions(this, 'Functions', {
      settings,
      state: this.state,
      ...(props.projectRoot === undefined ? {} : { projectRoot: props.projectRoot }),
    });
    const fns = Object.fromEntries(Object.entries(this.functions.byName).map(([name, fn]) => [name, fn.function]));

    this.usageBuffer = new UsageBuffer(this, 'UsageBuffer', {
      consumer: this.functions.byName['usage-tracker'].function,
      consumerTimeout: Duration.seconds(FUNCTION_ACCESS['usage-tracker'].timeoutSeconds),
    });
    const withReservation = (reserved: number | undefined) => (reserved === undefined ? {} : { consumerReservedConcurrency: reserved });
    const failureBuffer = (id: string, consumer: 'deletion-guard' | 'policy-guard', purpose: string, maxConcurrency: number): FailureBuffer =>
      new FailureBuffer(this, id, {
        consumer: this.functions.byName[consumer].function,
        consumerTimeout: Duration.seconds(FUNCTION_ACCESS[consumer].timeoutSeconds),
        ...withReservation(accessFor(consumer, settings.deletionGuardReservedConcurrency).reservedConcurrency),
        purpose,
        maxConcurrency,
      });
    this.failureBuffers = {
      UseWhilePendingDeletion: failureBuffer('PendingUseBuffer', 'deletion-guard', 'calls failing on keys pending deletion', PENDING_USE_MAX_CONCURRENCY),
      UseWhileDisabled: failureBuffer('DisabledUseBuffer', 'policy-guard', 'calls failing on disabled keys', DISABLED_USE_MAX_CONCURRENCY),
    };
    const routeQueues = Object.fromEntries(Object.entries(this.failureBuffers).map(([routeId, buffer]) => [routeId, buffer.queue]));
    const undelivered = deadLetterQueue(this, 'UndeliveredEvents', 'events EventBridge or the Scheduler could not deliver');

    new EventRoutes(this, 'Routes', { functions: fns, usageQueue: this.usageBuffer.queue, routeQueues, deliveryDeadLetterQueue: undelivered });
    // Org mode: member accounts forward their KMS events to the guard bus; the same routes apply there.
    const guardBusRoutes = new EventRoutes(this, 'GuardBusRoutes', {
      eventBus: this.state.bus,
      routes: isOrgMode(settings) ? ROUTES : [],
      functions: fns,
      usageQueue: this.usageBuffer.queue,
      routeQueues,
      deliveryDeadLetterQueue: undelivered,
    });
    guardBusRoutes.addRule({
      id: 'Decisions',
      description: 'kms-guard notifier: every decision the guard publishes, to Slack.',
      // EventBridge sets `account` to the sender's: only the guard's own account can publish decisions.
      pattern: { source: [DECISION_EVENT_SOURCE], account: [Aws.ACCOUNT_ID] },
      state: 'ENABLED',
      target: { kind: 'function', function: this.functions.byName.notifier.function },
    });
    if (isOrgMode(settings)) this.allowMemberAccounts(settings);

    new SweepSchedules(this, 'Sweeps', { functions: fns, deadLetterQueue: undelivered });
    const sweepFanOut = (this.sweepFanOut = new SweepFanOut(this, 'SweepFanOut', {
      planner: this.functions.byName['sweep-planner'].function,
      worker: this.functions.byName['sweep-worker'].function,
      workerTimeout: Duration.seconds(FUNCTION_ACCESS['sweep-worker'].timeoutSeconds),
      listOrganizationAccounts: settings.organizationId !== undefined && settings.memberAccounts.length === 0,
    }));

    const guardFunctions = Object.entries(this.functions.byName);
    const alarmTopic = new AlarmTopic(this, 'AlarmTopic', {
      ...(settings.alarmTopicArn === undefined ? {} : { alarmTopicArn: settings.alarmTopicArn }),
      ...(settings.alarmEmail === undefined ? {} : { alarmEmail: settings.alarmEmail }),
    }).topic;
    new OperationalAlarms(this, 'Alarms', {
      functions: guardFunctions.map(([name, fn]) => ({ name, function: fn.function })),
      deadLetterQueues: [
        { name: 'usage-buffer-dlq', queue: this.usageBuffer.deadLetterQueue },
        { name: 'undelivered-events', queue: undelivered },
        ...Object.entries(this.failureBuffers).map(([routeId, buffer]) => ({ name: `${routeId}-dlq`, queue: buffer.deadLetterQueue })),
        { name: 'sweep-work-dlq', queue: sweepFanOut.deadLetterQueue },
        ...guardFunctions.flatMap(([name, fn]) => (fn.failureQueue === undefined ? [] : [{ name: `${name}-failures`, queue: fn.failureQueue }])),
      ],
      usageBuffer: this.usageBuffer.queue,
      failureBuffers: Object.entries(this.failureBuffers).map(([routeId, buffer]) => ({ name: routeId, queue: buffer.queue })),
      kmsThrottles: guardFunctions.filter(([name]) => callsKms(FUNCTION_ACCESS[name as keyof typeof FUNCTION_ACCESS])).map(([name, fn]) => ({ name, logGroup: fn.logGroup })),
      usageHeartbeat: { logGroup: this.functions.byName['usage-tracker'].logGroup, hours: settings.usageHeartbeatHours },
      alarmTopicArn: alarmTopic.topicArn,
      // An hourly sweep still queued after an hour: the next one is already waiting behind it.
      sweepQueue: { queue: sweepFanOut.queue, maxAge: Duration.hours(1), workerLogs: this.functions.byName['sweep-worker'].logGroup },
    });

    if (settings.backfill !== undefined) {
      this.backfill = new Backfill(this, 'Backfill', {
        settings: settings.backfill,
        table: this.state.table,
        logRetentionDays: settings.logRetentionDays,
        alarmTopicArn: alarmTopic.topicArn,
        ...(props.projectRoot === undefined ? {} : { projectRoot: props.projectRoot }),
      });
      new CfnOutput(this, 'BackfillStateMachineArn', { value: this.backfill.stateMachine.stateMachineArn, description: 'Start a backfill: README.md, Backfill' });
      new CfnOutput(this, 'BackfillResultsBucket', { value: this.backfill.resultsBucket.bucketName });
    }

    new CfnOutput(this, 'AlarmTopicArn', { value: alarmTopic.topicArn, description: "Subscribe to the guard's alarms here (README.md, Alarms)" });
    new CfnOutput(this, 'TableName', { value: this.state.table.tableName });
    new CfnOutput(this, 'GuardBusArn', { value: this.state.bus.eventBusArn });
    new CfnOutput(this, 'SlackSecretName', { value: settings.slackSecretName, description: 'Put the Slack webhook URL here' });
    new CfnOutput(this, 'Mode', { value: settings.mode });
    new CfnOutput(this, 'GuardRoleArnPattern', {
      value: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role${GUARD_ROLE_PATH}*`,
      description: 'For key policies that do not delegate to IAM: allow principals matching this pattern (docs/deploying.md)',
    });
  }

  /**
   * Bus policy: only accounts of the organization (or the listed members) may put events on the guard bus, and
   * only KMS and CloudHSM events, so that no member can publish a decision (source kms-guard) of its own.
   */
  private allowMemberAccounts(settings: GuardSettings): void {
    const forwardedSourcesOnly = { 'ForAllValues:StringEquals': { 'events:source': [...FORWARDED_SOURCES] } };
    if (settings.organizationId !== undefined) {
      this.state.bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OrganizationMembersForwardKmsEvents',
          principals: [new iam.AnyPrincipal()],
          actions: ['events:PutEvents'],
          resources: [this.state.bus.eventBusArn],
          conditions: { StringEquals: { 'aws:PrincipalOrgID': settings.organizationId }, ...forwardedSourcesOnly },
        }),
      );
    }
    if (settings.memberAccounts.length > 0) {
      this.state.bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'MemberAccountsForwardKmsEvents',
          principals: settings.memberAccounts.map((account) => new iam.AccountPrincipal(account)),
          actions: ['events:PutEvents'],
          resources: [this.state.bus.eventBusArn],
          conditions: forwardedSourcesOnly,
        }),
      );
    }
  }
}
