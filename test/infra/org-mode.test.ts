import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { matchesPattern, ROUTES } from '../../lib/routing.js';
import { nagViolations } from '../../infra/nag.js';
import type { KmsGuardStack } from '../../infra/stacks/guard-stack.js';
import { MemberForwarderStack } from '../../infra/stacks/member-forwarder-stack.js';
import { MemberRoleStack } from '../../infra/stacks/member-role-stack.js';
import { allowedActionsByRole, CENTRAL_ACCOUNT, functionLogicalId, ORGANIZATION_ID, resourcesOf, roleOf, synthGuard, type Statement } from './synth.js';

let central: { stack: KmsGuardStack; template: Template };
let forwarder: MemberForwarderStack;
let forwarderTemplate: Template;
let memberRole: MemberRoleStack;
let memberRoleTemplate: Template;

beforeAll(() => {
  central = synthGuard({ organizationId: ORGANIZATION_ID, mode: 'enforce' });
  const app = new App({ context: { 'aws:cdk:disable-stack-trace': true } });
  forwarder = new MemberForwarderStack(app, 'Forwarder', { centralAccountId: CENTRAL_ACCOUNT });
  memberRole = new MemberRoleStack(app, 'MemberRole', { centralAccountId: CENTRAL_ACCOUNT });
  forwarderTemplate = Template.fromStack(forwarder);
  memberRoleTemplate = Template.fromStack(memberRole);
}, 300_000);

const statementsOf = (template: Template, type: string, documentKey: string): Statement[] =>
  Object.values(resourcesOf(template, type)).flatMap((resource) => (resource.Properties?.[documentKey] as { Statement: Statement[] }).Statement);

describe('the central guard in org mode', () => {
  it('lets the sweep planner, and no other function, list the organization\'s accounts', () => {
    const listers = [...allowedActionsByRole(central.template).entries()].filter(([, actions]) => actions.has('organizations:ListAccounts')).map(([role]) => role);
    expect(listers).toEqual([roleOf(central.stack, 'sweep-planner')]);
    const planner = resourcesOf(central.template, 'AWS::Lambda::Function')[functionLogicalId(central.stack, 'sweep-planner')]?.Properties as {
      Environment: { Variables: Record<string, unknown> };
    };
    expect(planner.Environment.Variables.KMS_GUARD_LIST_ORGANIZATION_ACCOUNTS).toBe('true');
  });

  it('lets only accounts of the organization put events on the guard bus', () => {
    const policies = Object.values(resourcesOf(central.template, 'AWS::Events::EventBusPolicy'));
    expect(policies).toHaveLength(1);
    const statement = policies[0]?.Properties?.Statement;
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'events:PutEvents',
      Condition: {
        StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID },
        'ForAllValues:StringEquals': { 'events:source': ['aws.kms', 'aws.cloudhsm'] },
      },
    });
  });

  it('posts to Slack only decisions the guard’s own account published', () => {
    const decisions = Object.values(resourcesOf(central.template, 'AWS::Events::Rule'))
      .map((rule) => rule.Properties as { EventPattern: { source?: unknown; account?: unknown } })
      .filter((rule) => JSON.stringify(rule.EventPattern.source) === '["kms-guard"]');
    expect(decisions.map((rule) => rule.EventPattern)).toEqual([{ source: ['kms-guard'], account: [{ Ref: 'AWS::AccountId' }] }]);
  });

  it('applies every route to events forwarded onto the guard bus too', () => {
    const onGuardBus = Object.values(resourcesOf(central.template, 'AWS::Events::Rule'))
      .map((rule) => rule.Properties as { EventBusName?: unknown; EventPattern: unknown; State: string })
      .filter((rule) => rule.EventBusName !== undefined);
    for (const route of ROUTES) {
      const rule = onGuardBus.find((candidate) => JSON.stringify(candidate.EventPattern) === JSON.stringify(route.pattern));
      expect(rule?.State, route.id).toBe(route.state);
    }
  });

  it('lets the KMS-calling functions assume the remediation role, only inside the organization', () => {
    for (const name of ['deletion-guard', 'deletion-sweep', 'grant-expirer', 'policy-guard'] as const) {
      expect(allowedActionsByRole(central.template).get(roleOf(central.stack, name))?.has('sts:AssumeRole'), name).toBe(true);
    }
    for (const name of ['usage-tracker', 'grant-tracker', 'notifier'] as const) {
      expect(allowedActionsByRole(central.template).get(roleOf(central.stack, name))?.has('sts:AssumeRole'), name).toBe(false);
    }
    const assume = statementsOf(central.template, 'AWS::IAM::Policy', 'PolicyDocument').filter((s) => s.Action === 'sts:AssumeRole');
    for (const statement of assume) {
      expect(statement.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': ORGANIZATION_ID } });
      expect(JSON.stringify(statement.Resource)).toContain(':iam::*:role/kms-guard-remediation');
    }
  });

  it('names those roles under /kms-guard/ so member roles can trust exactly them, and tells the functions the role name', () => {
    const role = resourcesOf(central.template, 'AWS::IAM::Role')[roleOf(central.stack, 'deletion-guard')]?.Properties;
    expect(role?.Path).toBe('/kms-guard/');
    expect(role?.RoleName).toEqual({ 'Fn::Join': ['', ['kms-guard-deletion-guard-', { Ref: 'AWS::Region' }]] });
    const env = resourcesOf(central.template, 'AWS::Lambda::Function')[functionLogicalId(central.stack, 'deletion-guard')]?.Properties
      ?.Environment as { Variables: Record<string, string> };
    expect(env.Variables).toMatchObject({ KMS_GUARD_REMEDIATION_ROLE: 'kms-guard-remediation', KMS_GUARD_MODE: 'enforce' });
  });

  it('passes cdk-nag', () => {
    expect(nagViolations(central.stack).map((v) => v.ruleName)).toEqual([]);
  });
});

describe('a member account', () => {
  const forwardRules = () =>
    Object.values(resourcesOf(forwarderTemplate, 'AWS::Events::Rule')).map(
      (rule) => rule.Properties as { EventPattern: Record<string, unknown>; State: string; Targets: Record<string, unknown>[] },
    );

  it('forwards everything some route listens to, once per event, to the central guard bus with its own role', () => {
    const sampleEvents = [
      { source: 'aws.kms', 'detail-type': 'AWS API Call via CloudTrail', detail: { eventSource: 'kms.amazonaws.com', eventName: 'Decrypt' } },
      { source: 'aws.kms', 'detail-type': 'AWS API Call via CloudTrail', detail: { eventSource: 'kms.amazonaws.com', eventName: 'ScheduleKeyDeletion' } },
      { source: 'aws.kms', 'detail-type': 'KMS CMK Deletion', detail: {} },
      { source: 'aws.cloudhsm', 'detail-type': 'AWS API Call via CloudTrail', detail: { eventSource: 'cloudhsm.amazonaws.com', eventName: 'DeleteHsm' } },
    ];
    for (const event of sampleEvents) {
      expect(ROUTES.some((route) => matchesPattern(route.pattern, event))).toBe(true);
      expect(forwardRules().filter((rule) => matchesPattern(rule.EventPattern as never, event)), JSON.stringify(event)).toHaveLength(1);
    }
    for (const rule of forwardRules()) {
      expect(rule.Targets).toHaveLength(1);
      expect(JSON.stringify(rule.Targets[0]?.Arn)).toContain(`:${CENTRAL_ACCOUNT}:event-bus/kms-guard`);
      expect(rule.Targets[0]?.RoleArn).toBeDefined();
      expect(rule.Targets[0]?.DeadLetterConfig).toBeDefined();
    }
  });

  it('forwards read-only KMS calls (the usage the guard tracks)', () => {
    const kms = forwardRules().find((rule) => JSON.stringify(rule.EventPattern.source) === '["aws.kms"]');
    expect(kms?.State).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
  });

  it('has a remediation role only the guard\'s KMS-calling roles in the central account can assume', () => {
    const trust = statementsOf(memberRoleTemplate, 'AWS::IAM::Role', 'AssumeRolePolicyDocument');
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({
      Action: 'sts:AssumeRole',
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${CENTRAL_ACCOUNT}:root`]] } },
    });
    const allowed = JSON.stringify(trust[0]?.Condition);
    for (const name of ['deletion-guard', 'deletion-sweep', 'grant-expirer', 'policy-guard']) {
      expect(allowed).toContain(`:iam::${CENTRAL_ACCOUNT}:role/kms-guard/kms-guard-${name}-*`);
    }
    expect(allowed).not.toContain('usage-tracker');
    memberRoleTemplate.hasResourceProperties('AWS::IAM::Role', { RoleName: 'kms-guard-remediation' });
  });

  it('limits the remediation role to the guard\'s own KMS actions', () => {
    const actions = [...(allowedActionsByRole(memberRoleTemplate).values().next().value ?? [])].sort();
    expect(actions).toEqual([
      'cloudhsm:DescribeClusters',
      'kms:CancelKeyDeletion',
      'kms:DescribeCustomKeyStores',
      'kms:DescribeKey',
      'kms:EnableKey',
      'kms:GetKeyLastUsage',
      'kms:ListAliases',
      'kms:ListGrants',
      'kms:ListKeys',
      'kms:ListResourceTags',
      'kms:RevokeGrant',
    ]);
  });

  it('deploys without CDK bootstrap resources, so StackSets can roll it out', () => {
    for (const template of [forwarderTemplate, memberRoleTemplate]) {
      expect(template.toJSON().Rules).toBeUndefined();
      expect(template.toJSON().Parameters).toBeUndefined();
      expect(JSON.stringify(template.toJSON())).not.toContain('cdk-hnb659fds');
    }
  });

  it('passes cdk-nag', () => {
    expect(nagViolations(forwarder).map((v) => v.ruleName)).toEqual([]);
    expect(nagViolations(memberRole).map((v) => v.ruleName)).toEqual([]);
  });
});
