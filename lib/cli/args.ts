/** Parses `kms-guard replay` arguments. A usage error is a UsageError (exit status 2) with the reason. */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_POLICY } from '../config.js';
import type { GuardPolicy } from '../domain/guard-policy.js';
import { KmsGuardError } from '../errors.js';

export class UsageError extends KmsGuardError {}

/** Where the replay keeps its history: in the process, in DynamoDB Local started for the run, or at --endpoint. */
export type ReplayStoreKind = 'memory' | 'dynamodb-local' | 'endpoint';

export const DEFAULT_MEMORY_BUDGET_MB = 512;

export interface ReplayArgs {
  readonly paths: readonly string[];
  readonly json: boolean;
  readonly now: Date;
  readonly store: ReplayStoreKind;
  /** Set exactly when store is "endpoint". */
  readonly endpoint?: string;
  readonly table?: string;
  readonly region: string;
  readonly slackWebhook?: string;
  readonly progress: boolean;
  readonly policy: GuardPolicy;
  /** Worker threads reading and parsing the files. */
  readonly jobs: number;
  /** Memory for the whole run, in MB: past it, sorted runs and pending usage go to disk or to the store. */
  readonly memoryBudgetMb: number;
}

export const USAGE = `Usage: kms-guard replay [options] <files or directories...>

Replays CloudTrail KMS records (CloudTrail S3 log files {"Records":[...]}, .json, .jsonl, .gz, EventBridge events,
SQS batches) through the same code as the Lambdas, in eventTime order, and prints the guard's decisions and the
state of every key. Decisions are dry-run: nothing is called in AWS.

Options:
  --json                      JSON Lines on stdout ({"kind":"decision"...}, {"kind":"key"...}); diagnostics on stderr
  --now <ISO-8601>            the clock for the end-of-replay sweeps and key report (default: now). Each event is
                              judged at its own eventTime, as the Lambda would have judged it.
  --store <kind>              where the history is kept: memory (default: in this process, nothing to start) or
                              dynamodb-local (starts DynamoDB Local for the run; needs Java 17 or later)
  --endpoint <url>            keep the history in the DynamoDB table at this endpoint instead
  --table <name>              with --endpoint: use (or create) this table and keep it; without it every run gets a
                              fresh table, deleted at the end, so a run never writes into a table it did not create
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
  --jobs <n>                  worker threads reading and parsing the files (default: one per core, here
                              ${availableParallelism()}; fewer when --memory cannot hold them, at least 128 MB each)
  --memory <MB>               memory for the whole run (default ${DEFAULT_MEMORY_BUDGET_MB}); past it the replay uses temporary files
  --no-progress               no progress bar (it is shown only on a terminal anyway)
  -h, --help                  this help
      --version               the version of kms-guard

Events after --now are left out (and counted): the replay stops at --now.

Exit status: 0 all input valid; 1 some record or file was rejected, or an event could not be handled (everything
else is still processed, and each is named on stderr); 2 usage error; 3 the replay could not run (DynamoDB Local did
not start, the store kept failing, a log file did not fit the memory budget).`;

export const parseReplayArgs = (argv: readonly string[]): ReplayArgs => {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        now: { type: 'string' },
        store: { type: 'string' },
        jobs: { type: 'string' },
        memory: { type: 'string' },
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
  const store = storeKind(values.store, values.endpoint, values.table);
  const slackWebhook = values['slack-webhook'];
  if (slackWebhook !== undefined && !/^https:\/\/[^/]|^http:\/\/(localhost|127\.[\d.]+|\[::1\])[:/]/.test(slackWebhook)) {
    throw new UsageError('--slack-webhook must be an https URL (plain http only to this machine, such as a local test server)');
  }
  return {
    paths: positionals,
    json: values.json,
    now,
    store,
    endpoint: values.endpoint,
    table: values.table,
    region: values.region,
    slackWebhook,
    progress: values.progress && !values['no-progress'],
    jobs: whole(values.jobs, '--jobs', availableParallelism(), 1, 64),
    memoryBudgetMb: whole(values.memory, '--memory', DEFAULT_MEMORY_BUDGET_MB, 128, 1_048_576),
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

const storeKind = (store: string | undefined, endpoint: string | undefined, table: string | undefined): ReplayStoreKind => {
  if (store !== undefined && store !== 'memory' && store !== 'dynamodb-local') {
    throw new UsageError(`--store must be "memory" or "dynamodb-local", got "${store}"`);
  }
  if (endpoint !== undefined) {
    if (store !== undefined) throw new UsageError(`--endpoint keeps the history in that DynamoDB table: leave out --store ${store}`);
    return 'endpoint';
  }
  if (table !== undefined && store !== 'dynamodb-local') {
    throw new UsageError('--table names a DynamoDB table: give --endpoint (or --store dynamodb-local) with it');
  }
  return store ?? 'memory';
};

const whole = (raw: string | undefined, flag: string, fallback: number, min: number, max: number): number => {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
};
