/**
 * All guard functions with their least-privilege grants (FUNCTION_ACCESS): table, KMS, bus, secret and,
 * in org mode, the remediation role in member accounts.
 */
import { Aws, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { dynamoDbActionsOf, NOTIFIER_PARTITION, type TableStoreName } from '../../lib/adapters/dynamodb-actions.js';
import type { FunctionName } from '../../lib/routing.js';
import { accessFor, callsKms, FUNCTION_NAMES, remediationRoleName, type RemediationDuty } from '../function-access.js';
import { ConfigError } from '../../lib/errors.js';
import { isOrgMode, type GuardSettings } from '../settings.js';
import { acknowledge } from '../nag.js';
import { GuardFunction } from './guard-function.js';
import type { GuardState } from './guard-state.js';

export interface GuardFunctionsProps {
  readonly settings: GuardSettings;
  readonly state: GuardState;
  /** Directory holding `functions/<name>.ts` and package-lock.json. Default the repository. */
  readonly projectRoot?: string;
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** Functions fed by the SQS buffer are invoked synchronously; all others asynchronously. */
const SYNCHRONOUS: ReadonlySet<FunctionName> = new Set(['usage-tracker', 'sweep-worker']);

export class GuardFunctions extends Construct {
  readonly byName: Readonly<Record<FunctionName, GuardFunction>>;

  constructor(scope: Construct, id: string, props: GuardFunctionsProps) {
    super(scope, id);
    const { settings, state } = props;
    const environment = guardEnvironment(settings, state);
    const orgMode = isOrgMode(settings);
    const entries = FUNCTION_NAMES.map((name) => {
      const access = accessFor(name, settings.deletionGuardReservedConcurrency);
      const duty = orgMode ? access.remediationDuty : undefined;
      const guardFunction = new GuardFunction(this, name, {
        name,
        access,
        // Each KMS-calling function assumes its own duty's role in member accounts.
        environment: duty === undefined ? environment : { ...environment, KMS_GUARD_REMEDIATION_ROLE: remediationRoleName(settings.remediationRoleName, duty) },
        asynchronous: !SYNCHRONOUS.has(name),
        logRetentionDays: settings.logRetentionDays,
        namedRole: orgMode && callsKms(access),
        ...(props.projectRoot === undefined ? {} : { projectRoot: props.projectRoot }),
        ...(props.logRemovalPolicy === undefined ? {} : { logRemovalPolicy: props.logRemovalPolicy }),
      });
      const role = guardFunction.role;
      if (access.tableStores.length > 0) role.addToPolicy(tableAccess(state, access.tableStores));
      if (access.kmsKeyActions.length > 0) {
        role.addToPolicy(
          new iam.PolicyStatement({
            sid: 'KmsKeyActions',
            actions: [...access.kmsKeyActions],
            resources: [`arn:${Aws.PARTITION}:kms:${Aws.REGION}:${Aws.ACCOUNT_ID}:key/*`],
          }),
        );
        acknowledge(
          role,
          'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*]',
          'The guard protects every key in its account and Region, including keys created after it was deployed, so key ARNs cannot be listed; the actions are the few it calls (no cryptographic, ScheduleKeyDeletion, PutKeyPolicy or CreateGrant).',
        );
      }
      if (access.accountActions.length > 0) {
        role.addToPolicy(new iam.PolicyStatement({ sid: 'ListAndDescribe', actions: [...access.accountActions], resources: ['*'] }));
      }
      if (access.publishesDecisions) state.bus.grantPutEventsTo(role);
      if (access.readsSlackSecret) {
        role.addToPolicy(
          new iam.PolicyStatement({ sid: 'SlackWebhook', actions: ['secretsmanager:GetSecretValue'], resources: [state.slackSecret.secretArn] }),
        );
      }
      if (duty !== undefined) {
        role.addToPolicy(assumeRemediationRole(settings, duty));
        if (settings.memberAccounts.length === 0) {
          acknowledge(
            role,
            `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${remediationRoleName(settings.remediationRoleName, duty)}]`,
            'Org mode without a member list: any account, but only the remediation role name and only inside the organization (aws:ResourceOrgID condition).',
          );
        }
      }
      return [name, guardFunction] as const;
    });
    this.byName = Object.fromEntries(entries) as Record<FunctionName, GuardFunction>;
  }
}

/**
 * The single table and its index, only the item-level actions of the function's stores. The notifier's idempotency
 * records are one partition (NOTIFIED): dynamodb:LeadingKeys keeps it to that partition, so a bug or a forged event
 * in the notifier can never read or overwrite the guard's usage, grants or decisions.
 */
const tableAccess = (state: GuardState, stores: readonly TableStoreName[]): iam.PolicyStatement => {
  const notifierOnly = stores.includes('notifierIdempotency');
  if (notifierOnly && stores.length > 1) throw new ConfigError('the notifier\'s idempotency records are granted alone (their LeadingKeys condition would narrow the other stores)');
  return new iam.PolicyStatement({
    sid: 'Table',
    actions: dynamoDbActionsOf(stores),
    resources: notifierOnly ? [state.table.tableArn] : [state.table.tableArn, ...state.indexNames.map((index) => `${state.table.tableArn}/index/${index}`)],
    ...(notifierOnly ? { conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [NOTIFIER_PARTITION] } } } : {}),
  });
};

/** The environment lib/config.ts reads (loadConfig), identical for every function. */
export const guardEnvironment = (settings: GuardSettings, state: GuardState): Record<string, string> => ({
  KMS_GUARD_MODE: settings.mode,
  KMS_GUARD_ACCOUNT_ID: Aws.ACCOUNT_ID,
  KMS_GUARD_MEMBER_ACCOUNTS: settings.memberAccounts.join(','),
  KMS_GUARD_TABLE: state.table.tableName,
  KMS_GUARD_EVENT_BUS: state.bus.eventBusName,
  KMS_GUARD_SLACK_SECRET: settings.slackSecretName,
  KMS_GUARD_SLACK_ALLOWED_HOSTS: settings.slackAllowedHosts.join(','),
  // The base name for functions that call no KMS (lib/config.ts wants it with member accounts); the KMS-calling ones get their duty's role.
  ...(isOrgMode(settings) ? { KMS_GUARD_REMEDIATION_ROLE: settings.remediationRoleName } : {}),
  KMS_GUARD_RECENT_USE_DAYS: String(settings.recentUseWindowDays),
  KMS_GUARD_OBSERVATION_DAYS: String(settings.observationPeriodDays),
  KMS_GUARD_EXEMPT_PRINCIPALS: settings.exemptPrincipals.join(','),
  KMS_GUARD_GRANT_MAX_AGE_DAYS: String(settings.grantMaxAgeDays),
  KMS_GUARD_GRANT_RECENT_USE_DAYS: String(settings.grantRecentUseDays),
  KMS_GUARD_USAGE_HEARTBEAT_HOURS: String(settings.usageHeartbeatHours),
  KMS_GUARD_EXEMPT_TAG_MIN_AGE_HOURS: String(settings.exemptTagMinAgeHours),
  KMS_GUARD_SWEEP_KMS_BUDGET_PERCENT: String(settings.sweepKmsBudgetPercent),
});

/** CancelKeyDeletion cannot be called cross-account: the guard acts through a role in the key's account. */
const assumeRemediationRole = (settings: GuardSettings, duty: RemediationDuty): iam.PolicyStatement => {
  const roleIn = (account: string): string => `arn:${Aws.PARTITION}:iam::${account}:role/${remediationRoleName(settings.remediationRoleName, duty)}`;
  // Listed member accounts are the tightest scope; otherwise any account, but only inside the organization.
  const accounts = settings.memberAccounts.length > 0 ? settings.memberAccounts : ['*'];
  return new iam.PolicyStatement({
    sid: 'AssumeRemediationRole',
    actions: ['sts:AssumeRole'],
    resources: accounts.map(roleIn),
    ...(settings.organizationId === undefined
      ? {}
      : { conditions: { StringEquals: { 'aws:ResourceOrgID': settings.organizationId } } }),
  });
};
