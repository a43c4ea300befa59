/**
 * Builds the CDK app (infra/app.ts runs it; tests build it in-process). Env-agnostic stacks (no lookups), so `cdk synth` works offline without credentials;
 * `cdk deploy` takes the account and Region from the caller's credentials.
 *
 *   npx cdk deploy KmsGuard -c mode=enforce                       single account (or the central account)
 *   npx cdk deploy KmsGuardMemberRole KmsGuardMemberForwarder \
 *     -c centralAccountId=111122223333 -c guardRegions=eu-west-1   each member account (org mode)
 *
 * Settings and their defaults: infra/settings.ts and docs/deploying.md.
 */
import { App } from 'aws-cdk-lib';
import { applyNagChecks } from './nag.js';
import { guardRegions, settingsFromContext } from './settings.js';
import { KmsGuardStack } from './stacks/guard-stack.js';
import { MemberForwarderStack } from './stacks/member-forwarder-stack.js';
import { MemberRoleStack } from './stacks/member-role-stack.js';

export const buildApp = (app: App = new App()): App => {
  const settings = settingsFromContext(app.node);
  new KmsGuardStack(app, 'KmsGuard', {
    settings,
    description: `kms-guard: event-driven guardrail for AWS KMS (${settings.mode})`,
  });
  const centralAccountId: unknown = app.node.tryGetContext('centralAccountId');
  if (typeof centralAccountId === 'string' && centralAccountId !== '') {
    new MemberRoleStack(app, 'KmsGuardMemberRole', {
      centralAccountId,
      remediationRoleName: settings.remediationRoleName,
      guardRegions: guardRegions(app.node.tryGetContext('guardRegions')),
      description: 'kms-guard member account: remediation role the central guard assumes (deploy once per account)',
    });
    new MemberForwarderStack(app, 'KmsGuardMemberForwarder', {
      centralAccountId,
      description: 'kms-guard member account: forwards KMS events to the central guard bus (deploy per Region)',
    });
  }
  applyNagChecks(app);
  return app;
};
