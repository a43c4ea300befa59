/**
 * All guard functions with their least-privilege grants (FUNCTION_ACCESS): table, KMS, bus, secret and,
 * in org mode, the remediation role in member accounts.
 */
import { Aws, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { FunctionName } from '../../lib/routing.js';
import { callsKms, FUNCTION_ACCESS, FUNCTION_NAMES } from '../function-access.js';
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
      const access = FUNCTION_ACCESS[name];
      const guardFunction = new GuardFunction(this, name, {
        name,
        access,
        environment,
        asynchronous: !SYNCHRONOUS.has(name),
        logRetentionDays: settings.logRetentionDays,
        namedRole: orgMode && callsKms(access),
        ...(props.projectRoot === undefined ? {} : { projectRoot: props.projectRoot }),
        ...(props.logRemovalPolicy === undefined ? {} : { logRemovalPolicy: props.logRemovalPolicy }),
      });
      const role = guardFunction.role;
      if (access.table === 'read-write') role.addToPolicy(tableReadWrite(state));
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
      if (orgMode && callsKms(access)) {
        role.addToPolicy(assumeRemediationRole(settings));
        if (settings.memberAccounts.length === 0) {
          acknowledge(
            role,
            `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${settings.remediationRoleName}]`,
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
 * The single table and its one index, item-level actions only (no table management). Transactions are
 * authorised per item by PutItem/UpdateItem/ConditionCheckItem.
 */
const tableReadWrite = (state: GuardState): iam.PolicyStatement =>
  new iam.PolicyStatement({
    sid: 'Table',
    actions: [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:ConditionCheckItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DescribeTable',
    ],
    resources: [state.table.tableArn, ...state.indexNames.map((index) => `${state.table.tableArn}/index/${index}`)],
  });

/** The environment lib/config.ts reads (loadConfig), identical for every function. */
export const guardEnvironment = (settings: GuardSettings, state: GuardState): Record<string, string> => ({
  KMS_GUARD_MODE: settings.mode,
  KMS_GUARD_ACCOUNT_ID: Aws.ACCOUNT_ID,
  KMS_GUARD_MEMBER_ACCOUNTS: settings.memberAccounts.join(','),
  KMS_GUARD_TABLE: state.table.tableName,
  KMS_GUARD_EVENT_BUS: state.bus.eventBusName,
  KMS_GUARD_SLACK_SECRET: settings.slackSecretName,
  KMS_GUARD_SLACK_ALLOWED_HOSTS: settings.slackAllowedHosts.join(','),
  ...(isOrgMode(settings) ? { KMS_GUARD_REMEDIATION_ROLE: settings.remediationRoleName } : {}),
  KMS_GUARD_RECENT_USE_DAYS: String(settings.recentUseWindowDays),
  KMS_GUARD_OBSERVATION_DAYS: String(settings.observationPeriodDays),
  KMS_GUARD_EXEMPT_PRINCIPALS: settings.exemptPrincipals.join(','),
  KMS_GUARD_GRANT_MAX_AGE_DAYS: String(settings.grantMaxAgeDays),
  KMS_GUARD_GRANT_RECENT_USE_DAYS: String(settings.grantRecentUseDays),
  KMS_GUARD_USAGE_HEARTBEAT_HOURS: String(settings.usageHeartbeatHours),
  KMS_GUARD_EXEMPT_TAG_MIN_AGE_HOURS: String(settings.exemptTagMinAgeHours),
});

/** CancelKeyDeletion cannot be called cross-account: the guard acts through a role in the key's account. */
const assumeRemediationRole = (settings: GuardSettings): iam.PolicyStatement => {
  const roleIn = (account: string): string => `arn:${Aws.PARTITION}:iam::${account}:role/${settings.remediationRoleName}`;
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
