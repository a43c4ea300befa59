import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { matchesPattern, ROUTES, type FunctionName } from '../../lib/routing.js';
import { callsKms, FUNCTION_ACCESS, FUNCTION_NAMES } from '../../infra/function-access.js';
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
    for (const name of ['deletion-guard', 'policy-guard', 'sweep-worker'] as const) {
      expect(allowedActionsByRole(central.template).get(roleOf(central.stack, name))?.has('sts:AssumeRole'), name).toBe(true);
    }
    for (const name of ['usage-tracker', 'grant-tracker', 'notifier', 'sweep-planner'] as const) {
      expect(allowedActionsByRole(central.template).get(roleOf(central.stack, name))?.has('sts:AssumeRole'), name).toBe(false);
    }
    const assumed = new Map<string, string>();
    for (const statement of statementsOf(central.template, 'AWS::IAM::Policy', 'PolicyDocument').filter((s) => s.Action === 'sts:AssumeRole')) {
      expect(statement.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': ORGANIZATION_ID } });
      const role = /:role\/(kms-guard-remediation-[a-z]+)/.exec(JSON.stringify(statement.Resource))?.[1] ?? '';
      assumed.set(role, (assumed.get(role) ?? '') + '+');
    }
    // One role per duty: deletion (the guard), sweeps (the worker), policy.
    expect(Object.fromEntries(assumed)).toEqual({ 'kms-guard-remediation-deletion': '+', 'kms-guard-remediation-sweeps': '+', 'kms-guard-remediation-policy': '+' });
  });

  it('names those roles under /kms-guard/ so member roles can trust exactly them, and tells each function its duty\'s role', () => {
    const role = resourcesOf(central.template, 'AWS::IAM::Role')[roleOf(central.stack, 'deletion-guard')]?.Properties;
    expect(role?.Path).toBe('/kms-guard/');
    expect(role?.RoleName).toEqual({ 'Fn::Join': ['', ['kms-guard-deletion-guard-', { Ref: 'AWS::Region' }]] });
    const env = (name: FunctionName) =>
      (resourcesOf(central.template, 'AWS::Lambda::Function')[functionLogicalId(central.stack, name)]?.Properties?.Environment as { Variables: Record<string, string> }).Variables;
    expect(env('deletion-guard')).toMatchObject({ KMS_GUARD_REMEDIATION_ROLE: 'kms-guard-remediation-deletion', KMS_GUARD_MODE: 'enforce' });
    expect(env('sweep-worker').KMS_GUARD_REMEDIATION_ROLE).toBe('kms-guard-remediation-sweeps');
    expect(env('policy-guard').KMS_GUARD_REMEDIATION_ROLE).toBe('kms-guard-remediation-policy');
  });

  it('gives every KMS-calling function a duty, and no other function one', () => {
    for (const name of FUNCTION_NAMES) expect(FUNCTION_ACCESS[name].remediationDuty !== undefined, name).toBe(callsKms(FUNCTION_ACCESS[name]));
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

  const dutyRoles = () =>
    Object.values(resourcesOf(memberRoleTemplate, 'AWS::IAM::Role')).map((role) => role.Properties as { RoleName: string; AssumeRolePolicyDocument: { Statement: Statement[] } });
  const trustedBy = (roleName: string): unknown => dutyRoles().find((role) => role.RoleName === roleName)?.AssumeRolePolicyDocument.Statement;
  const guardRole = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${CENTRAL_ACCOUNT}:role/kms-guard/kms-guard-${name}-`, { Ref: 'AWS::Region' }]] });
  const centralRoot = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${CENTRAL_ACCOUNT}:root`]] } };

  it('has one remediation role per duty, each assumable only by exactly its functions\' roles (no wildcard)', () => {
    expect(dutyRoles().map((role) => role.RoleName).sort()).toEqual(['kms-guard-remediation-deletion', 'kms-guard-remediation-policy', 'kms-guard-remediation-sweeps']);
    const trust = (names: string[]) => [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: centralRoot, Condition: { ArnEquals: { 'aws:PrincipalArn': names.map(guardRole) } } }];
    expect(trustedBy('kms-guard-remediation-deletion')).toEqual(trust(['deletion-guard']));
    expect(trustedBy('kms-guard-remediation-sweeps')).toEqual(trust(['sweep-worker']));
    expect(trustedBy('kms-guard-remediation-policy')).toEqual(trust(['policy-guard']));
    expect(JSON.stringify(dutyRoles())).not.toContain('*');
  });

  it('trusts the guard\'s roles in every Region it runs in when told them (guardRegions)', () => {
    const app = new App({ context: { 'aws:cdk:disable-stack-trace': true } });
    const stack = new MemberRoleStack(app, 'TwoRegions', { centralAccountId: CENTRAL_ACCOUNT, guardRegions: ['eu-west-1', 'us-east-1'] });
    const policy = Object.values(resourcesOf(Template.fromStack(stack), 'AWS::IAM::Role'))
      .map((role) => role.Properties as { RoleName: string; AssumeRolePolicyDocument: { Statement: Statement[] } })
      .find((role) => role.RoleName === 'kms-guard-remediation-sweeps')?.AssumeRolePolicyDocument.Statement[0];
    expect(policy?.Condition).toEqual({
      ArnEquals: {
        'aws:PrincipalArn': ['eu-west-1', 'us-east-1'].map((region) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${CENTRAL_ACCOUNT}:role/kms-guard/kms-guard-sweep-worker-${region}`]] })),
      },
    });
  });

  it('gives each duty only its functions\' KMS actions: the deletion guard cannot revoke, the policy guard only reads', () => {
    const actionsOf = (roleName: string) => {
      const logicalId = Object.entries(resourcesOf(memberRoleTemplate, 'AWS::IAM::Role')).find(([, role]) => role.Properties?.RoleName === roleName)?.[0] ?? '';
      return [...(allowedActionsByRole(memberRoleTemplate).get(logicalId) ?? [])].sort();
    };
    expect(actionsOf('kms-guard-remediation-deletion')).toEqual([
      'kms:CancelKeyDeletion', 'kms:DescribeKey', 'kms:EnableKey', 'kms:GetKeyLastUsage', 'kms:ListAliases', 'kms:ListGrants', 'kms:ListResourceTags',
    ]);
    expect(actionsOf('kms-guard-remediation-sweeps')).toEqual([
      'kms:CancelKeyDeletion', 'kms:DescribeKey', 'kms:EnableKey', 'kms:GetKeyLastUsage', 'kms:ListAliases', 'kms:ListGrants', 'kms:ListKeys', 'kms:ListResourceTags', 'kms:RevokeGrant',
    ]);
    expect(actionsOf('kms-guard-remediation-policy')).toEqual([
      'cloudhsm:DescribeClusters', 'kms:DescribeCustomKeyStores', 'kms:DescribeKey', 'kms:GetKeyLastUsage', 'kms:ListAliases', 'kms:ListResourceTags',
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
