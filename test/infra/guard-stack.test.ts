import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableDefinition } from '../../lib/adapters/dynamodb-table.js';
import { PENDING_DELETION_SUFFIXES } from '../../lib/domain/operations.js';
import { HEARTBEAT_METRIC, KMS_THROTTLE_METRIC, SWEEP_LAG_METRIC } from '../../infra/constructs/operational-alarms.js';
import { KMS_THROTTLED_MESSAGE } from '../../lib/adapters/kms-throttle-watch.js';
import { ROUTES, SCHEDULES, type FunctionName } from '../../lib/routing.js';
import { FUNCTION_NAMES } from '../../infra/function-access.js';
import { nagViolations } from '../../infra/nag.js';
import type { KmsGuardStack } from '../../infra/stacks/guard-stack.js';
import { allowedActionsByRole, functionLogicalId, logicalIdOf, resourcesOf, roleOf, synthGuard, type Statement } from './synth.js';

let stack: KmsGuardStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = synthGuard());
}, 300_000);

const rules = () => Object.values(resourcesOf(template, 'AWS::Events::Rule')).map((rule) => rule.Properties as unknown as RuleProperties);
interface RuleProperties {
  EventPattern: unknown;
  State: string;
  EventBusName?: unknown;
  Targets: { Arn: unknown; DeadLetterConfig?: { Arn: unknown }; RetryPolicy?: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number } }[];
}
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

describe('the guard stack (single account)', () => {
  describe('routes every entry of the routing table through its own rule on the default bus', () => {
    it.each(ROUTES.map((route) => [route.id, route] as const))('%s', (_id, route) => {
      const matching = rules().filter((rule) => JSON.stringify(rule.EventPattern) === JSON.stringify(route.pattern));
      expect(matching).toHaveLength(1);
      const [rule] = matching;
      expect(rule?.EventBusName).toBeUndefined();
      expect(rule?.State).toBe(route.state);
      const target = rule?.Targets[0];
      const ownQueue = stack.failureBuffers[route.id]?.queue;
      const queue = route.ownQueue === true && ownQueue !== undefined ? ownQueue : stack.usageBuffer.queue;
      const expectedArn = route.viaQueue ? arnOf(logicalIdOf(stack, queue)) : arnOf(functionLogicalId(stack, route.target));
      expect(target?.Arn).toEqual(expectedArn);
    });
  });

  it('lets read-only management events (Decrypt, Encrypt…) reach the usage and failed-call rules', () => {
    const readOnlyRoutes = ['UsageAndLifecycle', 'UseWhilePendingDeletion', 'UseWhileDisabled'];
    for (const id of readOnlyRoutes) {
      const route = ROUTES.find((candidate) => candidate.id === id);
      const rule = rules().find((candidate) => JSON.stringify(candidate.EventPattern) === JSON.stringify(route?.pattern));
      expect(rule?.State, id).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    }
  });

  it('sends calls failing with "is pending deletion." (by suffix) to the deletion guard\'s own queue, not to the function', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ errorMessage: PENDING_DELETION_SUFFIXES.map((suffix) => ({ suffix })) }) }),
      Targets: [Match.objectLike({ Arn: arnOf(logicalIdOf(stack, stack.failureBuffers.UseWhilePendingDeletion?.queue as never)) })],
    });
  });

  it('sends DisabledException failures to the policy guard\'s own queue, not to the function', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ errorCode: ['DisabledException'] }) }),
      Targets: [Match.objectLike({ Arn: arnOf(logicalIdOf(stack, stack.failureBuffers.UseWhileDisabled?.queue as never)) })],
    });
  });

  it('gives every rule target a dead-letter queue and a retry policy', () => {
    const undelivered = arnOf(logicalIdOf(stack, stack.node.findChild('UndeliveredEvents') as never));
    for (const rule of rules()) {
      for (const target of rule.Targets) {
        expect(target.DeadLetterConfig?.Arn).toEqual(undelivered);
        expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 });
      }
    }
  });

  it('subscribes the notifier to decisions on the guard bus and to nothing else there', () => {
    const onGuardBus = rules().filter((rule) => rule.EventBusName !== undefined);
    expect(onGuardBus).toHaveLength(1);
    expect(onGuardBus[0]?.EventPattern).toEqual({ source: ['kms-guard'], account: [{ Ref: 'AWS::AccountId' }] });
    expect(onGuardBus[0]?.Targets[0]?.Arn).toEqual(arnOf(functionLogicalId(stack, 'notifier')));
  });

  it('lets EventBridge invoke each directly targeted function only from its own rules', () => {
    const permissions = Object.values(resourcesOf(template, 'AWS::Lambda::Permission')).map((p) => p.Properties as Record<string, unknown>);
    const directRules = ROUTES.filter((route) => !route.viaQueue).length + 1;
    const fromEvents = permissions.filter((p) => p.Principal === 'events.amazonaws.com');
    expect(fromEvents).toHaveLength(directRules);
    for (const permission of fromEvents) expect(permission.SourceArn).toMatchObject({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
  });
});

describe('the usage buffer', () => {
  it('feeds the usage tracker in batches of 1000 with a batching window, reporting failed items', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionLogicalId(stack, 'usage-tracker') },
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 30,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: arnOf(logicalIdOf(stack, stack.usageBuffer.queue)),
    });
  });

  it('dead-letters a message after 5 receives and keeps it invisible for 6x the tracker timeout', () => {
    const queue = resourcesOf(template, 'AWS::SQS::Queue')[logicalIdOf(stack, stack.usageBuffer.queue)]?.Properties;
    expect(queue?.RedrivePolicy).toEqual({ deadLetterTargetArn: arnOf(logicalIdOf(stack, stack.usageBuffer.deadLetterQueue)), maxReceiveCount: 5 });
    const tracker = resourcesOf(template, 'AWS::Lambda::Function')[functionLogicalId(stack, 'usage-tracker')]?.Properties;
    expect(queue?.VisibilityTimeout).toBe((tracker?.Timeout as number) * 6);
  });

  it('accepts messages only from the guard\'s rules, over TLS', () => {
    const policies = Object.values(resourcesOf(template, 'AWS::SQS::QueuePolicy')).filter((policy) =>
      JSON.stringify(policy.Properties?.Queues) === JSON.stringify([{ Ref: logicalIdOf(stack, stack.usageBuffer.queue) }]),
    );
    const statements = policies.flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
    expect(statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition) === '{"Bool":{"aws:SecureTransport":"false"}}')).toBe(true);
    const allow = statements.filter((s) => s.Effect === 'Allow');
    expect(allow).toHaveLength(1);
    const sources = (allow[0]?.Condition?.ArnEquals as Record<string, unknown[]>)['aws:SourceArn'];
    expect(sources).toHaveLength(ROUTES.filter((route) => route.viaQueue && route.ownQueue !== true).length);
  });
});

describe('the failure buffers (a flood of failed calls)', () => {
  const mapping = (consumer: FunctionName, queue: unknown) => ({
    FunctionName: { Ref: functionLogicalId(stack, consumer) },
    BatchSize: 500,
    MaximumBatchingWindowInSeconds: 2,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    ScalingConfig: { MaximumConcurrency: 2 },
    EventSourceArn: arnOf(logicalIdOf(stack, queue as never)),
  });

  it('feed the deletion guard and the policy guard in batches of 500, at most 2 at once, reporting failed items', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', mapping('deletion-guard', stack.failureBuffers.UseWhilePendingDeletion?.queue));
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', mapping('policy-guard', stack.failureBuffers.UseWhileDisabled?.queue));
  });

  it('leave the ScheduleKeyDeletion executions free: the deletion guard reserves more than its queue may use', () => {
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    const reserved = functions[functionLogicalId(stack, 'deletion-guard')]?.Properties?.ReservedConcurrentExecutions as number;
    const mappings = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping')).map((m) => m.Properties as Record<string, unknown>);
    const ownMapping = mappings.filter((m) => JSON.stringify(m.FunctionName) === JSON.stringify({ Ref: functionLogicalId(stack, 'deletion-guard') }));
    expect(ownMapping).toHaveLength(1);
    const queueShare = (ownMapping[0]?.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency;
    expect(reserved).toBe(10);
    expect(reserved - queueShare).toBeGreaterThanOrEqual(8);
    // The ScheduleKeyDeletion rule still invokes the function directly (asynchronously, retried, on-failure queue).
    const schedule = ROUTES.find((route) => route.id === 'ScheduleKeyDeletion');
    const rule = rules().find((candidate) => JSON.stringify(candidate.EventPattern) === JSON.stringify(schedule?.pattern));
    expect(rule?.Targets[0]?.Arn).toEqual(arnOf(functionLogicalId(stack, 'deletion-guard')));
  });

  it('reserve what -c deletionGuardReservedConcurrency says, or none with 0 (an account at the new-account limit)', () => {
    const reservedWith = (value: number) => {
      const synthesized = synthGuard({ deletionGuardReservedConcurrency: value });
      return resourcesOf(synthesized.template, 'AWS::Lambda::Function')[functionLogicalId(synthesized.stack, 'deletion-guard')]?.Properties?.ReservedConcurrentExecutions;
    };
    expect(reservedWith(25)).toBe(25);
    expect(reservedWith(0)).toBeUndefined();
  });

  it('dead-letter a message after 5 receives, and alarm on their dead letters and on their oldest message\'s age', () => {
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties as Record<string, unknown>);
    for (const buffer of Object.values(stack.failureBuffers)) {
      const queue = resourcesOf(template, 'AWS::SQS::Queue')[logicalIdOf(stack, buffer.queue)]?.Properties;
      expect(queue?.RedrivePolicy).toEqual({ deadLetterTargetArn: arnOf(logicalIdOf(stack, buffer.deadLetterQueue)), maxReceiveCount: 5 });
      const age = alarms.filter((alarm) => alarm.MetricName === 'ApproximateAgeOfOldestMessage' && JSON.stringify(alarm.Dimensions).includes(logicalIdOf(stack, buffer.queue)));
      expect(age).toHaveLength(1);
    }
  });
});

describe('throttle alarms', () => {
  const alarms = () => Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties as Record<string, unknown>);

  it('alarm when Lambda throttles any guard function', () => {
    for (const fn of Object.keys(resourcesOf(template, 'AWS::Lambda::Function'))) {
      const throttles = alarms().filter((alarm) => alarm.MetricName === 'Throttles' && JSON.stringify(alarm.Dimensions).includes(fn));
      expect(throttles, fn).toHaveLength(1);
      expect(throttles[0]?.Threshold).toBe(1);
    }
  });

  it('alarm when KMS throttles the guard, counted from the "kms throttled" log lines of every function that calls KMS', () => {
    const filters = Object.values(resourcesOf(template, 'AWS::Logs::MetricFilter')).map((filter) => filter.Properties as Record<string, unknown>);
    const throttleFilters = filters.filter((filter) => JSON.stringify(filter.MetricTransformations).includes(KMS_THROTTLE_METRIC.name));
    const logGroupOf = (name: FunctionName) => ({ Ref: logicalIdOf(stack, stack.functions.byName[name].logGroup) });
    expect(throttleFilters.map((filter) => filter.LogGroupName)).toEqual(
      expect.arrayContaining((['deletion-guard', 'policy-guard', 'sweep-worker'] as const).map(logGroupOf)),
    );
    for (const filter of throttleFilters) expect(filter.FilterPattern).toBe(`{ $.message = "${KMS_THROTTLED_MESSAGE}" }`);
    const kms = alarms().filter((alarm) => alarm.MetricName === KMS_THROTTLE_METRIC.name && alarm.Namespace === KMS_THROTTLE_METRIC.namespace);
    expect(kms).toHaveLength(1);
    expect(kms[0]?.Threshold).toBe(1);
  });
});

describe('asynchronous functions', () => {
  const asynchronous: FunctionName[] = ['grant-tracker', 'deletion-guard', 'policy-guard', 'notifier', 'sweep-planner'];
  it.each(asynchronous)('%s retries, then sends the failed event to its own on-failure queue', (name) => {
    const failureQueue = stack.functions.byName[name].failureQueue;
    expect(failureQueue).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionLogicalId(stack, name) },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: arnOf(logicalIdOf(stack, failureQueue as never)) } },
    });
  });

  it('has an alarm on every dead-letter queue and on every function\'s errors', () => {
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties as Record<string, unknown>);
    // The work queues are alarmed on the age of their oldest message instead (below and the sweep-fan-out tests).
    const workQueues = [stack.usageBuffer.queue, stack.sweepFanOut.queue, ...Object.values(stack.failureBuffers).map((buffer) => buffer.queue)].map((queue) => logicalIdOf(stack, queue));
    const queues = Object.keys(resourcesOf(template, 'AWS::SQS::Queue')).filter((id) => !workQueues.includes(id));
    for (const queue of queues) {
      expect(alarms.some((alarm) => alarm.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(alarm.Dimensions).includes(queue)), queue).toBe(true);
    }
    for (const fn of Object.keys(resourcesOf(template, 'AWS::Lambda::Function'))) {
      expect(alarms.some((alarm) => alarm.MetricName === 'Errors' && JSON.stringify(alarm.Dimensions).includes(fn)), fn).toBe(true);
    }
  });

  it('sends every alarm to an SNS topic it creates (TLS only), so the alarms notify someone', () => {
    const topics = Object.entries(resourcesOf(template, 'AWS::SNS::Topic'));
    expect(topics.map(([, topic]) => (topic.Properties as { TopicName?: string }).TopicName)).toEqual(['kms-guard-alarms']);
    const [topicId] = topics[0] ?? [];
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties as { AlarmActions?: unknown[] });
    expect(alarms.length).toBeGreaterThan(5);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    const policy = Object.values(resourcesOf(template, 'AWS::SNS::TopicPolicy'))[0]?.Properties as { PolicyDocument: { Statement: Statement[] } };
    expect(policy.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
    );
    template.hasOutput('*', { Value: { Ref: topicId } });
  });

  it("alarms when the usage tracker's logs show no read-only KMS event for usageHeartbeatHours, missing data counting as none", () => {
    const filters = Object.values(resourcesOf(template, 'AWS::Logs::MetricFilter')).map((filter) => filter.Properties as Record<string, unknown>);
    const heartbeat = filters.find((filter) => JSON.stringify(filter.MetricTransformations).includes(HEARTBEAT_METRIC.name));
    expect(heartbeat?.FilterPattern).toBe('{ ($.message = "batch recorded") && ($.readOnlyEvents > 0) }');
    expect(JSON.stringify(heartbeat?.LogGroupName)).toContain(logicalIdOf(stack, stack.functions.byName['usage-tracker'].logGroup));
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties as Record<string, unknown>);
    expect(alarms.find((alarm) => alarm.MetricName === HEARTBEAT_METRIC.name)).toMatchObject({
      Namespace: HEARTBEAT_METRIC.namespace,
      Period: 3600,
      EvaluationPeriods: 6,
      DatapointsToAlarm: 6,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });
});

describe('the sweeps', () => {
  it.each(SCHEDULES.map((schedule) => [schedule.target, schedule.rate] as const))(
    '%s runs on EventBridge Scheduler at %s with retries and a dead-letter queue',
    (target, rate) => {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: rate,
        State: 'ENABLED',
        Target: Match.objectLike({
          Arn: arnOf(functionLogicalId(stack, target)),
          DeadLetterConfig: { Arn: Match.anyValue() },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }),
        }),
      });
    },
  );
});

describe('the table', () => {
  it('is on-demand with point-in-time recovery, deletion protection and the expiresAt TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('has the keys and indexes of the adapter\'s table definition (the one DynamoDB Local gets)', () => {
    const { createTable } = tableDefinition('ignored');
    const table = Object.values(resourcesOf(template, 'AWS::DynamoDB::Table'))[0]?.Properties;
    const byName = <T extends { AttributeName?: string }>(items: readonly T[] | undefined) =>
      [...(items ?? [])].sort((a, b) => String(a.AttributeName).localeCompare(String(b.AttributeName)));
    expect(byName(table?.AttributeDefinitions as never[])).toEqual(byName(createTable.AttributeDefinitions));
    expect(table?.KeySchema).toEqual(createTable.KeySchema);
    expect(table?.GlobalSecondaryIndexes).toEqual(createTable.GlobalSecondaryIndexes);
  });
});

describe('the functions', () => {
  it('are the seven of the routing table and the sweeps, each on nodejs22.x, arm64, with X-Ray and a log group with retention', () => {
    const functions = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).map((fn) => fn.Properties as Record<string, unknown>);
    expect(functions).toHaveLength(7);
    for (const fn of functions) {
      expect(fn.Runtime).toBe('nodejs22.x');
      expect(fn.Architectures).toEqual(['arm64']);
      expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Handler).toBe('index.handler');
      expect(fn.LoggingConfig).toMatchObject({ LogGroup: { Ref: expect.any(String) } });
    }
    const logGroups = Object.values(resourcesOf(template, 'AWS::Logs::LogGroup'));
    expect(logGroups).toHaveLength(7);
    for (const group of logGroups) expect(group.Properties?.RetentionInDays).toBe(90);
  });

  it('get exactly the environment lib/config.ts reads (dry-run and policy defaults unless configured)', () => {
    const env = (resourcesOf(template, 'AWS::Lambda::Function')[functionLogicalId(stack, 'deletion-guard')]?.Properties?.Environment as {
      Variables: Record<string, unknown>;
    }).Variables;
    expect(Object.keys(env).filter((key) => key.startsWith('KMS_GUARD_')).sort()).toEqual(
      [
        'KMS_GUARD_ACCOUNT_ID',
        'KMS_GUARD_EVENT_BUS',
        'KMS_GUARD_EXEMPT_PRINCIPALS',
        'KMS_GUARD_EXEMPT_TAG_MIN_AGE_HOURS',
        'KMS_GUARD_MEMBER_ACCOUNTS',
        'KMS_GUARD_GRANT_MAX_AGE_DAYS',
        'KMS_GUARD_GRANT_RECENT_USE_DAYS',
        'KMS_GUARD_MODE',
        'KMS_GUARD_OBSERVATION_DAYS',
        'KMS_GUARD_RECENT_USE_DAYS',
        'KMS_GUARD_SLACK_ALLOWED_HOSTS',
        'KMS_GUARD_SLACK_SECRET',
        'KMS_GUARD_SWEEP_KMS_BUDGET_PERCENT',
        'KMS_GUARD_TABLE',
        'KMS_GUARD_USAGE_HEARTBEAT_HOURS',
      ].sort(),
    );
    expect(env).toMatchObject({
      KMS_GUARD_MODE: 'dry-run',
      KMS_GUARD_RECENT_USE_DAYS: '90',
      KMS_GUARD_OBSERVATION_DAYS: '14',
      KMS_GUARD_GRANT_MAX_AGE_DAYS: '90',
      KMS_GUARD_SLACK_SECRET: 'kms-guard/slack-webhook',
      KMS_GUARD_SLACK_ALLOWED_HOSTS: 'hooks.slack.com',
      KMS_GUARD_TABLE: { Ref: logicalIdOf(stack, stack.state.table) },
      KMS_GUARD_USAGE_HEARTBEAT_HOURS: '6',
      KMS_GUARD_EXEMPT_TAG_MIN_AGE_HOURS: '24',
      KMS_GUARD_SWEEP_KMS_BUDGET_PERCENT: '20',
    });
  });
});

describe('least privilege', () => {
  const kmsActions = (name: FunctionName) =>
    [...(allowedActionsByRole(template).get(roleOf(stack, name)) ?? [])].filter((action) => /^(kms|cloudhsm):/.test(action)).sort();

  it.each([
    ['usage-tracker', []],
    ['grant-tracker', []],
    ['notifier', []],
    [
      'deletion-guard',
      ['kms:CancelKeyDeletion', 'kms:DescribeKey', 'kms:EnableKey', 'kms:GetKeyLastUsage', 'kms:ListAliases', 'kms:ListGrants', 'kms:ListResourceTags'],
    ],
    ['sweep-planner', []],
    [
      'sweep-worker',
      ['kms:CancelKeyDeletion', 'kms:DescribeKey', 'kms:EnableKey', 'kms:GetKeyLastUsage', 'kms:ListAliases', 'kms:ListGrants', 'kms:ListKeys', 'kms:ListResourceTags', 'kms:RevokeGrant'],
    ],
    [
      'policy-guard',
      ['cloudhsm:DescribeClusters', 'kms:DescribeCustomKeyStores', 'kms:DescribeKey', 'kms:GetKeyLastUsage', 'kms:ListAliases', 'kms:ListResourceTags'],
    ],
  ] as [FunctionName, string[]][])('%s may call exactly %j on KMS/CloudHSM', (name, expected) => {
    expect(kmsActions(name)).toEqual(expected);
  });

  const tableActions = (name: FunctionName) =>
    [...(allowedActionsByRole(template).get(roleOf(stack, name)) ?? [])].filter((action) => action.startsWith('dynamodb:')).sort();
  const DECIDING = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'];
  it.each([
    ['usage-tracker', ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']],
    ['grant-tracker', ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']],
    ['deletion-guard', DECIDING],
    ['sweep-worker', DECIDING],
    ['policy-guard', DECIDING],
    ['sweep-planner', []],
    ['notifier', ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']],
  ] as [FunctionName, string[]][])('%s may call exactly %j on the table', (name, expected) => {
    expect(tableActions(name)).toEqual(expected);
  });

  it('lets no function scan the table, batch-write or manage it, and only the notifier delete (its own records)', () => {
    for (const name of FUNCTION_NAMES) {
      const actions = tableActions(name);
      expect(actions.filter((action) => /Scan|BatchWriteItem|Table|\*/.test(action)), name).toEqual([]);
      if (name !== 'notifier') expect(actions, name).not.toContain('dynamodb:DeleteItem');
    }
  });

  it('keeps the notifier to the partition of its idempotency records (dynamodb:LeadingKeys NOTIFIED)', () => {
    const statements = Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties?.Roles).includes(roleOf(stack, 'notifier')))
      .flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((statement) => [statement.Action].flat().some((action) => String(action).startsWith('dynamodb:')));
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['NOTIFIED'] } });
  });

  it('never allows kms:*, a cryptographic action, ScheduleKeyDeletion, PutKeyPolicy or CreateGrant', () => {
    const forbidden = /^(\*|kms:\*|kms:(Decrypt|Encrypt|ReEncrypt.*|GenerateDataKey.*|GenerateMac|VerifyMac|Sign|Verify|DeriveSharedSecret|GenerateRandom|ScheduleKeyDeletion|PutKeyPolicy|CreateGrant|CreateKey|DisableKey|.*\*.*))$/;
    const all = [...allowedActionsByRole(template).values()].flatMap((actions) => [...actions]);
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter((action) => forbidden.test(action))).toEqual([]);
  });

  it('scopes key actions to keys of the guard\'s own account and Region', () => {
    const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy'));
    const keyStatements = policies
      .flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((statement) => [statement.Action].flat().some((action) => action === 'kms:CancelKeyDeletion' || action === 'kms:RevokeGrant'));
    expect(keyStatements.length).toBeGreaterThan(0);
    for (const statement of keyStatements) {
      expect(statement.Resource).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':key/*']],
      });
    }
  });

  it('lets only the notifier read the Slack secret, and only with GetSecretValue', () => {
    const readers = [...allowedActionsByRole(template).entries()].filter(([, actions]) => [...actions].some((a) => a.startsWith('secretsmanager:')));
    expect(readers.map(([role]) => role)).toEqual([roleOf(stack, 'notifier')]);
    expect([...(readers[0]?.[1] ?? [])].filter((a) => a.startsWith('secretsmanager:'))).toEqual(['secretsmanager:GetSecretValue']);
  });

  it('lets only the deciding functions publish on the guard bus', () => {
    const publishers = [...allowedActionsByRole(template).entries()].filter(([, actions]) => actions.has('events:PutEvents')).map(([role]) => role);
    const deciders: FunctionName[] = ['deletion-guard', 'policy-guard', 'sweep-worker'];
    expect(publishers.sort()).toEqual(deciders.map((name) => roleOf(stack, name)).sort());
  });

  it('assumes no other role outside org mode', () => {
    const all = [...allowedActionsByRole(template).values()].flatMap((actions) => [...actions]);
    expect(all).not.toContain('sts:AssumeRole');
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the AwsSolutions and Serverless packs', () => {
    const violations = nagViolations(stack).map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(violations).toEqual([]);
  });
});

describe('the sweep fan-out', () => {
  const workQueue = (): Record<string, unknown> => resourcesOf(template, 'AWS::SQS::Queue')[logicalIdOf(stack, stack.sweepFanOut.queue)]?.Properties ?? {};

  it('queues work items on a FIFO queue with its own deduplication ids and a FIFO dead-letter queue after 3 receives', () => {
    const deadLetters = logicalIdOf(stack, stack.sweepFanOut.deadLetterQueue);
    expect(workQueue()).toMatchObject({
      FifoQueue: true,
      ContentBasedDeduplication: false,
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 6 * 900,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] }, maxReceiveCount: 3 },
    });
    expect(resourcesOf(template, 'AWS::SQS::Queue')[deadLetters]?.Properties).toMatchObject({ FifoQueue: true });
  });

  it('feeds the worker one item at a time, with partial failures and bounded concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionLogicalId(stack, 'sweep-worker') },
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.sweepFanOut.queue), 'Arn'] },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 20 },
    });
  });

  it('schedules the planner hourly, and no longer the single-function sweeps', () => {
    const schedules = Object.values(resourcesOf(template, 'AWS::Scheduler::Schedule')).map((schedule) => JSON.stringify(schedule.Properties));
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toContain(functionLogicalId(stack, 'sweep-planner'));
    expect(schedules[0]).toContain('rate(1 hour)');
  });

  it('lets the planner and the worker send to the queue, and alarms when an item waits over an hour (the sweep duration)', () => {
    for (const name of ['sweep-planner', 'sweep-worker'] as const) {
      expect(allowedActionsByRole(template).get(roleOf(stack, name))?.has('sqs:SendMessage'), name).toBe(true);
    }
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties as Record<string, unknown>);
    const age = alarms.filter(
      (alarm) => alarm.MetricName === 'ApproximateAgeOfOldestMessage' && JSON.stringify(alarm.Dimensions).includes(logicalIdOf(stack, stack.sweepFanOut.queue)),
    );
    expect(age).toHaveLength(1);
    expect(age[0]).toMatchObject({ Threshold: 3600, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [expect.anything()] });
  });

  it('alarms when a sweep runs long: a part finishing over an hour after its plan (from the worker\'s "sweep work item done" lines)', () => {
    const filters = Object.values(resourcesOf(template, 'AWS::Logs::MetricFilter')).map((filter) => filter.Properties as Record<string, unknown>);
    const lag = filters.filter((filter) => JSON.stringify(filter.MetricTransformations).includes(SWEEP_LAG_METRIC.name));
    expect(lag).toHaveLength(1);
    expect(lag[0]?.LogGroupName).toEqual({ Ref: logicalIdOf(stack, stack.functions.byName['sweep-worker'].logGroup) });
    expect(lag[0]?.FilterPattern).toBe('{ $.message = "sweep work item done" }');
    expect(JSON.stringify(lag[0]?.MetricTransformations)).toContain('$.secondsSincePlanned');
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties as Record<string, unknown>);
    const lagAlarms = alarms.filter((alarm) => alarm.MetricName === SWEEP_LAG_METRIC.name && alarm.Namespace === SWEEP_LAG_METRIC.namespace);
    expect(lagAlarms).toHaveLength(1);
    expect(lagAlarms[0]).toMatchObject({ Threshold: 3600, Statistic: 'Maximum', ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [expect.anything()] });
  });
});
