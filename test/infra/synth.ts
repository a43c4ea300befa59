/**
 * Synthesizes the guard's stacks for template tests. Bundling is skipped here ('aws:cdk:bundling-stacks': [])
 * because these tests read the template; test/infra/app.test.ts bundles every function for real once.
 */
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { settingsFromContext } from '../../infra/settings.js';
import { KmsGuardStack } from '../../infra/stacks/guard-stack.js';

export const CENTRAL_ACCOUNT = '111122223333';
export const ORGANIZATION_ID = 'o-a1b2c3d4e5';

export const testApp = (context: Record<string, unknown> = {}): App =>
  new App({ context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-stack-trace': true, ...context } });

export const synthGuard = (context: Record<string, unknown> = {}): { stack: KmsGuardStack; template: Template } => {
  const app = testApp(context);
  const stack = new KmsGuardStack(app, 'KmsGuard', { settings: settingsFromContext(app.node) });
  return { stack, template: Template.fromStack(stack) };
};

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

export const resourcesOf = (template: Template, type: string): Resources =>
  template.findResources(type) as Resources;

/** Every IAM action allowed by any identity policy in the template, per policy's role logical id. */
export const allowedActionsByRole = (template: Template): Map<string, Set<string>> => {
  const byRole = new Map<string, Set<string>>();
  for (const policy of Object.values(resourcesOf(template, 'AWS::IAM::Policy'))) {
    const properties = policy.Properties as { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } };
    for (const { Ref: role } of properties.Roles) {
      const actions = byRole.get(role) ?? new Set<string>();
      for (const statement of properties.PolicyDocument.Statement) {
        if (statement.Effect === 'Allow') for (const action of [statement.Action].flat()) actions.add(action);
      }
      byRole.set(role, actions);
    }
  }
  return byRole;
};

export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, unknown>;
  readonly Sid?: string;
}

/** The logical id of the role a guard function runs with. */
export const roleOf = (stack: KmsGuardStack, name: Parameters<typeof functionLogicalId>[1]): string =>
  stack.getLogicalId(stack.functions.byName[name].role.node.defaultChild as never);

export const functionLogicalId = (stack: KmsGuardStack, name: keyof KmsGuardStack['functions']['byName']): string =>
  stack.getLogicalId(stack.functions.byName[name].function.node.defaultChild as never);

export const logicalIdOf = (stack: Stack, construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as never);
