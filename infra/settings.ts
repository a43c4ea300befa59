/**
 * Deployment settings: CDK context (`-c key=value` or cdk.json "context") over documented defaults.
 * Validated at synth time so a typo fails `cdk synth` with the key's name instead of deploying a guard
 * that silently uses a default.
 */
import type { Node } from 'constructs';
import { DEFAULT_POLICY, type Mode } from '../lib/config.js';
import { isPrefixAboveDates } from '../lib/backfill/trail-object-key.js';
import { ConfigError } from '../lib/errors.js';
import { PENDING_USE_MAX_CONCURRENCY } from './function-access.js';

export interface GuardSettings {
  /** `enforce` cancels deletions and revokes grants; `dry-run` only decides and reports. Default `dry-run`. */
  readonly mode: Mode;
  /** Successful use within this many days keeps a key from deletion. Default 90. */
  readonly recentUseWindowDays: number;
  /** A key disabled this long without failed calls may be deleted. Default 14. */
  readonly observationPeriodDays: number;
  /** Grants older than this, without probable use, are revoked. Default 90. */
  readonly grantMaxAgeDays: number;
  /** "Probable use" of a grant is looked for in this many most recent days. Default 30. */
  readonly grantRecentUseDays: number;
  /** Principal ARNs allowed to delete keys (e.g. the IaC pipeline role). Default none. */
  readonly exemptPrincipals: readonly string[];
  /** The exemption tag counts only when set this many hours before the scheduling, by someone else. Default 24. */
  readonly exemptTagMinAgeHours: number;
  /** Secrets Manager secret (created by the stack) holding the Slack webhook URL. Default `kms-guard/slack-webhook`. */
  readonly slackSecretName: string;
  /** Hosts the webhook URL may name, for Slack-compatible gateways. Default `hooks.slack.com` only. */
  readonly slackAllowedHosts: readonly string[];
  /** Org mode: the AWS Organizations id (o-…) whose accounts may forward events to the guard bus. */
  readonly organizationId?: string;
  /** Org mode without Organizations: the member account ids allowed to forward events. Default none. */
  readonly memberAccounts: readonly string[];
  /** Org mode: name of the remediation role the member stacks create. Default `kms-guard-remediation`. */
  readonly remediationRoleName: string;
  /** Days Lambda logs are kept. Default 90. */
  readonly logRetentionDays: number;
  /** SNS topic ARN the alarms notify. Default: the stack creates `kms-guard-alarms`. */
  readonly alarmTopicArn?: string;
  /** Email address subscribed to the created alarm topic. Default none. */
  readonly alarmEmail?: string;
  /**
   * Hours without any read-only KMS event recorded before the heartbeat alarm fires; also how fresh that heartbeat
   * must be for `no-recorded-use` to allow a deletion. Default 6 (the hourly sweeps' own DescribeKey calls count).
   */
  readonly usageHeartbeatHours: number;
  /**
   * Executions reserved for the deletion guard, so a flood elsewhere in the account cannot starve a ScheduleKeyDeletion;
   * its failed-call queue may use PENDING_USE_MAX_CONCURRENCY of them. Default 10; 0 reserves none (an account still
   * at Lambda's new-account concurrency limit cannot reserve).
   */
  readonly deletionGuardReservedConcurrency: number;
  /** The sweeps' share of each KMS request quota, per account and Region, in percent. Default 20. */
  readonly sweepKmsBudgetPercent: number;
  /** The backfill from the trail's S3 archive (infra/constructs/backfill.ts); absent (the default): not deployed. */
  readonly backfill?: BackfillSettings;
}

/** `-c backfillBucket=… [-c backfillPrefix=…] [-c backfillKmsKeyArn=…] [-c backfillConcurrency=40] [-c backfillObjectsPerBatch=20]`. */
export interface BackfillSettings {
  /** The trail's bucket, in this account and Region (an organization trail's bucket in the central account). */
  readonly bucket: string;
  /** What the backfill may read and lists by default: at or above the Region folder. Default the whole bucket. */
  readonly prefix: string;
  /** The trail's KMS key (SSE-KMS buckets): kms:Decrypt is allowed on it only through S3. Default none (SSE-S3). */
  readonly kmsKeyArn?: string;
  /** Batches at once (the Map's MaxConcurrency) unless an execution says otherwise. Default 40. */
  readonly concurrency: number;
  /** Objects per batch (ItemBatcher). Default 20. */
  readonly objectsPerBatch: number;
}

export const DEFAULT_SETTINGS: GuardSettings = {
  mode: 'dry-run',
  recentUseWindowDays: DEFAULT_POLICY.recentUseWindowDays,
  observationPeriodDays: DEFAULT_POLICY.observationPeriodDays,
  grantMaxAgeDays: DEFAULT_POLICY.grantMaxAgeDays,
  grantRecentUseDays: DEFAULT_POLICY.grantRecentUseDays,
  exemptPrincipals: [],
  exemptTagMinAgeHours: DEFAULT_POLICY.exemptTagMinAgeHours,
  slackSecretName: 'kms-guard/slack-webhook',
  slackAllowedHosts: ['hooks.slack.com'],
  memberAccounts: [],
  remediationRoleName: 'kms-guard-remediation',
  logRetentionDays: 90,
  usageHeartbeatHours: DEFAULT_POLICY.usageHeartbeatHours,
  deletionGuardReservedConcurrency: 10,
  sweepKmsBudgetPercent: 20,
};

/** Org mode is on when some other account may forward events: an organization or a member list. */
export const isOrgMode = (settings: GuardSettings): boolean =>
  settings.organizationId !== undefined || settings.memberAccounts.length > 0;

/** Reads the guard's settings from the CDK context of `node`; `overrides` (props) win over context. */
export const settingsFromContext = (node: Node, overrides: Partial<GuardSettings> = {}): GuardSettings => {
  const read = (key: string): unknown => node.tryGetContext(key);
  const fromContext: GuardSettings = {
    mode: mode(read('mode')),
    recentUseWindowDays: days(read('recentUseWindowDays'), 'recentUseWindowDays', DEFAULT_SETTINGS.recentUseWindowDays),
    observationPeriodDays: days(read('observationPeriodDays'), 'observationPeriodDays', DEFAULT_SETTINGS.observationPeriodDays),
    grantMaxAgeDays: days(read('grantMaxAgeDays'), 'grantMaxAgeDays', DEFAULT_SETTINGS.grantMaxAgeDays),
    grantRecentUseDays: days(read('grantRecentUseDays'), 'grantRecentUseDays', DEFAULT_SETTINGS.grantRecentUseDays),
    exemptPrincipals: list(read('exemptPrincipals'), 'exemptPrincipals'),
    exemptTagMinAgeHours: wholeHours(read('exemptTagMinAgeHours'), 'exemptTagMinAgeHours', DEFAULT_SETTINGS.exemptTagMinAgeHours),
    slackSecretName: text(read('slackSecretName'), 'slackSecretName') ?? DEFAULT_SETTINGS.slackSecretName,
    slackAllowedHosts: hosts(read('slackAllowedHosts')),
    organizationId: organizationId(read('organizationId')),
    memberAccounts: list(read('memberAccounts'), 'memberAccounts').map((account) => accountId(account, 'memberAccounts')),
    remediationRoleName: roleName(read('remediationRoleName')),
    logRetentionDays: days(read('logRetentionDays'), 'logRetentionDays', DEFAULT_SETTINGS.logRetentionDays),
    alarmTopicArn: text(read('alarmTopicArn'), 'alarmTopicArn'),
    alarmEmail: email(read('alarmEmail')),
    usageHeartbeatHours: heartbeatHours(read('usageHeartbeatHours')),
    deletionGuardReservedConcurrency: reservedConcurrency(read('deletionGuardReservedConcurrency')),
    sweepKmsBudgetPercent: percent(read('sweepKmsBudgetPercent'), 'sweepKmsBudgetPercent', DEFAULT_SETTINGS.sweepKmsBudgetPercent),
    backfill: backfillSettings(read),
  };
  return { ...fromContext, ...withoutUndefined(overrides) };
};

const withoutUndefined = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;

const mode = (value: unknown): Mode => {
  if (value === undefined) return DEFAULT_SETTINGS.mode;
  if (value === 'enforce' || value === 'dry-run') return value;
  throw new ConfigError(`context "mode" must be "enforce" or "dry-run", got ${JSON.stringify(value)}`);
};

const days = (value: unknown, key: string, fallback: number): number => {
  if (value === undefined || value === '') return fallback;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number) || number <= 0) {
    throw new ConfigError(`context "${key}" must be a positive whole number of days, got ${JSON.stringify(value)}`);
  }
  return number;
};

/** A CloudWatch alarm evaluates at most seven days of hourly periods. */
const wholeHours = (value: unknown, key: string, fallback: number): number => {
  if (value === undefined || value === '') return fallback;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new ConfigError(`context "${key}" must be a positive whole number of hours, got ${JSON.stringify(value)}`);
  return number;
};

const heartbeatHours = (value: unknown): number => {
  if (value === undefined || value === '') return DEFAULT_SETTINGS.usageHeartbeatHours;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number) || number <= 0 || number > 168) {
    throw new ConfigError(`context "usageHeartbeatHours" must be a whole number of hours from 1 to 168, got ${JSON.stringify(value)}`);
  }
  return number;
};

/** 0 (none), or more than the failed-call queue may use, so some executions are always the schedulings'. */
const reservedConcurrency = (value: unknown): number => {
  if (value === undefined || value === '') return DEFAULT_SETTINGS.deletionGuardReservedConcurrency;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number) || (number !== 0 && (number <= PENDING_USE_MAX_CONCURRENCY || number > 1000))) {
    throw new ConfigError(
      `context "deletionGuardReservedConcurrency" must be 0 (reserve none) or a whole number from ${PENDING_USE_MAX_CONCURRENCY + 1} to 1000 (above the ${PENDING_USE_MAX_CONCURRENCY} its failed-call queue may use), got ${JSON.stringify(value)}`,
    );
  }
  return number;
};

const percent = (value: unknown, key: string, fallback: number): number => {
  if (value === undefined || value === '') return fallback;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 100) throw new ConfigError(`context "${key}" must be a whole percentage from 1 to 100, got ${JSON.stringify(value)}`);
  return number;
};

const text = (value: unknown, key: string): string | undefined => {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new ConfigError(`context "${key}" must be a string, got ${JSON.stringify(value)}`);
  return value;
};

/** A JSON array in cdk.json, or a comma-separated string from `-c key=a,b`. */
const list = (value: unknown, key: string): string[] => {
  if (value === undefined || value === '') return [];
  const items = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) {
    throw new ConfigError(`context "${key}" must be a list of strings or a comma-separated string`);
  }
  return items.map((item) => item.trim()).filter((item) => item !== '');
};

const hosts = (value: unknown): readonly string[] => {
  const names = list(value, 'slackAllowedHosts');
  const bad = names.find((name) => !/^[a-z0-9.-]+(:\d+)?$/i.test(name));
  if (bad !== undefined) throw new ConfigError(`context "slackAllowedHosts" must hold host names (no scheme or path), got "${bad}"`);
  return names.length === 0 ? DEFAULT_SETTINGS.slackAllowedHosts : names;
};

const email = (value: unknown): string | undefined => {
  const address = text(value, 'alarmEmail');
  if (address !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) throw new ConfigError(`context "alarmEmail" must be an email address, got "${address}"`);
  return address;
};

const organizationId = (value: unknown): string | undefined => {
  const id = text(value, 'organizationId');
  if (id !== undefined && !/^o-[a-z0-9]{10,32}$/.test(id)) {
    throw new ConfigError(`context "organizationId" must look like o-xxxxxxxxxx, got "${id}"`);
  }
  return id;
};

/** `-c guardRegions=eu-west-1,us-east-1`: the Regions the central guard runs in (the member roles trust each). */
export const guardRegions = (value: unknown): string[] => {
  const regions = list(value, 'guardRegions');
  const bad = regions.find((region) => !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region));
  if (bad !== undefined) throw new ConfigError(`context "guardRegions" must hold AWS Region names such as eu-west-1, got "${bad}"`);
  return regions;
};

export const accountId = (value: string, key: string): string => {
  if (!/^\d{12}$/.test(value)) throw new ConfigError(`context "${key}" must hold 12-digit account ids, got "${value}"`);
  return value;
};

const backfillSettings = (read: (key: string) => unknown): BackfillSettings | undefined => {
  const bucket = text(read('backfillBucket'), 'backfillBucket');
  const prefix = text(read('backfillPrefix'), 'backfillPrefix') ?? '';
  const kmsKeyArn = text(read('backfillKmsKeyArn'), 'backfillKmsKeyArn');
  if (bucket === undefined) {
    if (prefix !== '' || kmsKeyArn !== undefined) throw new ConfigError('context "backfillPrefix" and "backfillKmsKeyArn" need "backfillBucket"');
    return undefined;
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new ConfigError(`context "backfillBucket" is not an S3 bucket name: "${bucket}"`);
  if (!isPrefixAboveDates(prefix)) {
    throw new ConfigError(`context "backfillPrefix" must end with "/" at or above the Region folder (…/AWSLogs/…/CloudTrail/<region>/), got "${prefix}"`);
  }
  if (kmsKeyArn !== undefined && !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/.test(kmsKeyArn)) {
    throw new ConfigError(`context "backfillKmsKeyArn" must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), got "${kmsKeyArn}"`);
  }
  return {
    bucket,
    prefix,
    ...(kmsKeyArn === undefined ? {} : { kmsKeyArn }),
    concurrency: count(read('backfillConcurrency'), 'backfillConcurrency', 40, 1000),
    objectsPerBatch: count(read('backfillObjectsPerBatch'), 'backfillObjectsPerBatch', 20, 500),
  };
};

const count = (value: unknown, key: string, fallback: number, max: number): number => {
  if (value === undefined || value === '') return fallback;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) {
    throw new ConfigError(`context "${key}" must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return number;
};

const roleName = (value: unknown): string => {
  const name = text(value, 'remediationRoleName') ?? DEFAULT_SETTINGS.remediationRoleName;
  // Each duty's role is `<name>-<duty>` (at most 9 more characters) and IAM role names have at most 64.
  if (!/^[\w+=,.@-]{1,55}$/.test(name)) throw new ConfigError(`context "remediationRoleName" is not a valid IAM role name of at most 55 characters (the duty is appended): "${name}"`);
  return name;
};
