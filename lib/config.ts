/**
 * The one place that reads the environment. Read once at cold start; a missing or wrong value fails
 * start-up with a message naming the variable. Only handlers, adapters and the CLI see this module.
 */
import { ConfigError } from './errors.js';
import type { GuardPolicy } from './domain/guard-policy.js';

export type Mode = 'enforce' | 'dry-run';

export interface RuntimeConfig {
  readonly mode: Mode;
  readonly tableName: string;
  /** The guard's own EventBridge bus for decision events; absent: decisions are not published. */
  readonly eventBusName?: string;
  /** Secrets Manager secret holding the Slack Incoming Webhook URL; absent: no Slack messages. */
  readonly slackSecretName?: string;
  /** Hosts the webhook URL may name (KMS_GUARD_SLACK_ALLOWED_HOSTS); default hooks.slack.com. */
  readonly slackAllowedHosts: readonly string[];
  /** Org mode: role name assumed in the key's own account (CancelKeyDeletion cannot be called cross-account). */
  readonly remediationRoleName?: string;
  /** The account the guard runs in; keys of other accounts need the remediation role. */
  readonly accountId: string;
  /** The Region the guard runs in (Lambda sets AWS_REGION); deploy once per Region. */
  readonly region: string;
  /** Org mode: member accounts the hourly sweeps list keys in (ListKeys), besides the guard's own. */
  readonly memberAccountIds: readonly string[];
  /** The sweep work queue (SQS FIFO) the planner fills and the workers re-fill with continuations. */
  readonly sweepQueueUrl?: string;
  /** Without member accounts: sweep the organization's active accounts (AWS Organizations ListAccounts). */
  readonly listOrganizationAccounts: boolean;
  /** The sweeps' share of each KMS request quota, in percent (KMS_GUARD_SWEEP_KMS_BUDGET_PERCENT). Default 20. */
  readonly sweepKmsBudgetPercent: number;
  readonly policy: GuardPolicy;
}

export const DEFAULT_POLICY: GuardPolicy = {
  recentUseWindowDays: 90,
  observationPeriodDays: 14,
  exemptPrincipals: [],
  exemptTagMinAgeHours: 24,
  grantMaxAgeDays: 90,
  grantRecentUseDays: 30,
  reminderDays: [7, 1],
  usageHeartbeatHours: 6,
};

type Env = Readonly<Record<string, string | undefined>>;

export const loadConfig = (env: Env = process.env): RuntimeConfig => {
  const mode = env.KMS_GUARD_MODE ?? 'dry-run';
  if (mode !== 'enforce' && mode !== 'dry-run') {
    throw new ConfigError(`KMS_GUARD_MODE must be "enforce" or "dry-run", got "${mode}"`);
  }
  const tableName = env.KMS_GUARD_TABLE;
  if (tableName === undefined || tableName === '') throw new ConfigError('KMS_GUARD_TABLE is not set');
  const accountId = env.KMS_GUARD_ACCOUNT_ID ?? '';
  if (!/^\d{12}$/.test(accountId)) throw new ConfigError(`KMS_GUARD_ACCOUNT_ID must be a 12-digit account id, got "${accountId}"`);
  const region = env.AWS_REGION ?? '';
  if (region === '') throw new ConfigError('AWS_REGION is not set');
  const memberAccountIds = list(env.KMS_GUARD_MEMBER_ACCOUNTS);
  const badMember = memberAccountIds.find((id) => !/^\d{12}$/.test(id));
  if (badMember !== undefined) throw new ConfigError(`KMS_GUARD_MEMBER_ACCOUNTS holds "${badMember}", not a 12-digit account id`);
  if (memberAccountIds.length > 0 && optional(env.KMS_GUARD_REMEDIATION_ROLE) === undefined) {
    throw new ConfigError('KMS_GUARD_MEMBER_ACCOUNTS needs KMS_GUARD_REMEDIATION_ROLE: keys of member accounts are reached through it');
  }
  return {
    mode,
    tableName,
    accountId,
    region,
    memberAccountIds,
    eventBusName: optional(env.KMS_GUARD_EVENT_BUS),
    slackSecretName: optional(env.KMS_GUARD_SLACK_SECRET),
    slackAllowedHosts: slackHosts(env.KMS_GUARD_SLACK_ALLOWED_HOSTS),
    remediationRoleName: optional(env.KMS_GUARD_REMEDIATION_ROLE),
    sweepQueueUrl: optional(env.KMS_GUARD_SWEEP_QUEUE_URL),
    listOrganizationAccounts: env.KMS_GUARD_LIST_ORGANIZATION_ACCOUNTS === 'true',
    sweepKmsBudgetPercent: percent(env, 'KMS_GUARD_SWEEP_KMS_BUDGET_PERCENT', 20),
    policy: {
      recentUseWindowDays: positiveInt(env, 'KMS_GUARD_RECENT_USE_DAYS', DEFAULT_POLICY.recentUseWindowDays),
      observationPeriodDays: positiveInt(env, 'KMS_GUARD_OBSERVATION_DAYS', DEFAULT_POLICY.observationPeriodDays),
      exemptPrincipals: list(env.KMS_GUARD_EXEMPT_PRINCIPALS),
      exemptTagMinAgeHours: positiveInt(env, 'KMS_GUARD_EXEMPT_TAG_MIN_AGE_HOURS', DEFAULT_POLICY.exemptTagMinAgeHours, 'hours'),
      grantMaxAgeDays: positiveInt(env, 'KMS_GUARD_GRANT_MAX_AGE_DAYS', DEFAULT_POLICY.grantMaxAgeDays),
      grantRecentUseDays: positiveInt(env, 'KMS_GUARD_GRANT_RECENT_USE_DAYS', DEFAULT_POLICY.grantRecentUseDays),
      reminderDays: DEFAULT_POLICY.reminderDays,
      usageHeartbeatHours: positiveInt(env, 'KMS_GUARD_USAGE_HEARTBEAT_HOURS', DEFAULT_POLICY.usageHeartbeatHours, 'hours'),
    },
  };
};

const optional = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

const list = (value: string | undefined): string[] =>
  (value ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');

const positiveInt = (env: Env, name: string, fallback: number, unit = 'days'): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${name} must be a positive whole number of ${unit}, got "${raw}"`);
  return value;
};

const slackHosts = (raw: string | undefined): readonly string[] => {
  const hosts = list(raw);
  const bad = hosts.find((host) => !/^[a-z0-9.-]+(:\d+)?$/i.test(host) || host.includes('/'));
  if (bad !== undefined) throw new ConfigError(`KMS_GUARD_SLACK_ALLOWED_HOSTS holds "${bad}", not a host name`);
  return hosts.length === 0 ? ['hooks.slack.com'] : hosts;
};

const percent = (env: Env, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(Number.isFinite(value) && value > 0 && value <= 100)) throw new ConfigError(`${name} must be a percentage above 0 and at most 100, got "${raw}"`);
  return value;
};
