/** Parses `kms-guard replay` arguments. A usage error is a UsageError (exit status 2) with the reason. */
import { parseArgs } from 'node:util';
import { DEFAULT_POLICY } from '../config.js';
import type { GuardPolicy } from '../domain/guard-policy.js';
import { KmsGuardError } from '../errors.js';

export class UsageError extends KmsGuardError {}

export interface ReplayArgs {
  readonly paths: readonly string[];
  readonly json: boolean;
  readonly now: Date;
  /** Absent: start DynamoDB Local for this run. */
  readonly endpoint?: string;
  readonly table?: string;
  readonly region: string;
  readonly slackWebhook?: string;
  readonly progress: boolean;
  readonly policy: GuardPolicy;
}

export const USAGE = `Usage: kms-guard replay [options] <files or directories...>

Replays CloudTrail KMS records (CloudTrail S3 log files {"Records":[...]}, .json, .jsonl, .gz, EventBridge events,
SQS batches) through the same code as the Lambdas, in eventTime order, and prints the guard's decisions and the
state of every key. Decisions are dry-run: nothing is called in AWS.

Options:
  --json                      JSON Lines on stdout ({"kind":"decision"...}, {"kind":"key"...}); diagnostics on stderr
  --now <ISO-8601>            the clock for the end-of-replay sweeps and key report (default: now). Each event is
                              judged at its own eventTime, as the Lambda would have judged it.
  --endpoint <url>            use this DynamoDB endpoint instead of starting DynamoDB Local
  --table <name>              use (or create) this table and keep it; without it every run gets a fresh table,
                              deleted at the end, so a run never writes into a table it did not create
  --region <region>           region for the DynamoDB client (default: us-east-1)
  --slack-webhook <url>       also post every decision's Slack message to this Incoming Webhook
  --recent-use-days <n>       recent-use window (default ${DEFAULT_POLICY.recentUseWindowDays})
  --observation-days <n>      disabled observation period (default ${DEFAULT_POLICY.observationPeriodDays})
  --grant-max-age-days <n>    maximum grant age (default ${DEFAULT_POLICY.grantMaxAgeDays})
  --grant-recent-use-days <n> window in which a grant's probable use is looked for (default ${DEFAULT_POLICY.grantRecentUseDays})
  --exempt-principal <arn>    principal allowed to delete keys (repeatable)
  --exempt-tag-min-age-hours <n>
                              the exemption tag counts only when set this long before the scheduling, by someone
                              else (default ${DEFAULT_POLICY.exemptTagMinAgeHours})
  --no-progress               no progress bar (it is shown only on a terminal anyway)
  -h, --help                  this help
      --version               the version of kms-guard

Events after --now are left out (and counted): the replay stops at --now.

Exit status: 0 all input valid; 1 some record or file was rejected, or an event could not be handled (everything
else is still processed, and each is named on stderr); 2 usage error; 3 the replay could not run (DynamoDB Local did
not start, the store kept failing).`;

export const parseReplayArgs = (argv: readonly string[]): ReplayArgs => {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        now: { type: 'string' },
        endpoint: { type: 'string' },
        table: { type: 'string' },
        region: { type: 'string', default: 'us-east-1' },
        'slack-webhook': { type: 'string' },
        'recent-use-days': { type: 'string' },
        'observation-days': { type: 'string' },
        'grant-max-age-days': { type: 'string' },
        'grant-recent-use-days': { type: 'string' },
        'exempt-principal': { type: 'string', multiple: true, default: [] },
        'exempt-tag-min-age-hours': { type: 'string' },
        progress: { type: 'boolean', default: true },
        'no-progress': { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    // node:util's messages say what is wrong; its hint about "--" is not for our users.
    const message = (error instanceof Error ? error.message : String(error)).replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(message, { cause: error });
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new UsageError('no input: give CloudTrail files or directories to replay');
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime())) throw new UsageError(`--now must be an ISO-8601 date-time, got "${values.now}"`);
  if (values.endpoint !== undefined && !/^https?:\/\/[^/]/.test(values.endpoint)) {
    throw new UsageError(`--endpoint must be an http(s) URL such as http://127.0.0.1:8000, got "${values.endpoint}"`);
  }
  const slackWebhook = values['slack-webhook'];
  if (slackWebhook !== undefined && !/^https:\/\/[^/]|^http:\/\/(localhost|127\.[\d.]+|\[::1\])[:/]/.test(slackWebhook)) {
    throw new UsageError('--slack-webhook must be an https URL (plain http only to this machine, such as a local test server)');
  }
  return {
    paths: positionals,
    json: values.json,
    now,
    endpoint: values.endpoint,
    table: values.table,
    region: values.region,
    slackWebhook,
    progress: values.progress && !values['no-progress'],
    policy: {
      ...DEFAULT_POLICY,
      recentUseWindowDays: days(values['recent-use-days'], '--recent-use-days', DEFAULT_POLICY.recentUseWindowDays),
      observationPeriodDays: days(values['observation-days'], '--observation-days', DEFAULT_POLICY.observationPeriodDays),
      grantMaxAgeDays: days(values['grant-max-age-days'], '--grant-max-age-days', DEFAULT_POLICY.grantMaxAgeDays),
      grantRecentUseDays: days(values['grant-recent-use-days'], '--grant-recent-use-days', DEFAULT_POLICY.grantRecentUseDays),
      exemptPrincipals: values['exempt-principal'],
      exemptTagMinAgeHours: days(values['exempt-tag-min-age-hours'], '--exempt-tag-min-age-hours', DEFAULT_POLICY.exemptTagMinAgeHours, 'hours'),
    },
  };
};

const days = (raw: string | undefined, flag: string, fallback: number, unit = 'days'): number => {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new UsageError(`${flag} must be a positive whole number of ${unit}, got "${raw}"`);
  return value;
};
