/**
 * What each function may do, as data: the least-privilege IAM the stacks grant and the tests assert.
 * KMS actions are exactly the calls the adapters make (lib/adapters/kms-*.ts); nothing cryptographic,
 * nothing that schedules deletion, changes a key policy or creates grants.
 */
import type { FunctionName } from '../lib/routing.js';

export interface FunctionAccess {
  /** KMS actions on keys (resource `key/*` in the guard's account and Region, or via the remediation role). */
  readonly kmsKeyActions: readonly string[];
  /** Actions that support no resource-level permission (`Resource: *`). */
  readonly accountActions: readonly string[];
  /** Reads and writes the single table. */
  readonly table: 'read-write' | 'none';
  /** Publishes decisions on the guard bus (events:PutEvents). */
  readonly publishesDecisions: boolean;
  /** Reads the Slack webhook secret (secretsmanager:GetSecretValue). */
  readonly readsSlackSecret: boolean;
  /** Memory in MB and timeout in seconds, sized for its work (batches of 1000, hourly sweeps). */
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  readonly description: string;
}

/** DescribeKey + ListResourceTags + ListAliases + GetKeyLastUsage: KeyDirectory.describe(). */
const DESCRIBE_KEY_ACTIONS = ['kms:DescribeKey', 'kms:ListResourceTags', 'kms:GetKeyLastUsage'] as const;

export const FUNCTION_ACCESS: Readonly<Record<FunctionName, FunctionAccess>> = {
  'usage-tracker': {
    kmsKeyActions: [],
    accountActions: [],
    table: 'read-write',
    publishesDecisions: false,
    readsSlackSecret: false,
    memorySize: 1024,
    timeoutSeconds: 120,
    description: 'Records KMS usage and key state from the SQS buffer (batches of up to 1000 events).',
  },
  'grant-tracker': {
    kmsKeyActions: [],
    accountActions: [],
    table: 'read-write',
    publishesDecisions: false,
    readsSlackSecret: false,
    memorySize: 256,
    timeoutSeconds: 30,
    description: 'Records CreateGrant, RetireGrant and RevokeGrant.',
  },
  'deletion-guard': {
    kmsKeyActions: [...DESCRIBE_KEY_ACTIONS, 'kms:ListGrants', 'kms:CancelKeyDeletion', 'kms:EnableKey'],
    accountActions: ['kms:ListAliases'],
    table: 'read-write',
    publishesDecisions: true,
    readsSlackSecret: false,
    memorySize: 512,
    timeoutSeconds: 60,
    description: 'Cancels risky ScheduleKeyDeletion calls and restores the key state.',
  },
  'deletion-sweep': {
    kmsKeyActions: [...DESCRIBE_KEY_ACTIONS, 'kms:ListGrants', 'kms:CancelKeyDeletion', 'kms:EnableKey'],
    accountActions: ['kms:ListAliases', 'kms:ListKeys'],
    table: 'read-write',
    publishesDecisions: true,
    readsSlackSecret: false,
    memorySize: 512,
    timeoutSeconds: 600,
    description: 'Hourly: re-evaluates every key pending deletion and sends reminders.',
  },
  'grant-expirer': {
    kmsKeyActions: [...DESCRIBE_KEY_ACTIONS, 'kms:ListGrants', 'kms:RevokeGrant'],
    accountActions: ['kms:ListAliases', 'kms:ListKeys'],
    table: 'read-write',
    publishesDecisions: true,
    readsSlackSecret: false,
    memorySize: 512,
    timeoutSeconds: 600,
    description: 'Hourly: reconciles grants with ListGrants and revokes stale ones (never AWS-service grants).',
  },
  'policy-guard': {
    kmsKeyActions: [...DESCRIBE_KEY_ACTIONS],
    accountActions: ['kms:ListAliases', 'kms:DescribeCustomKeyStores', 'cloudhsm:DescribeClusters'],
    table: 'read-write',
    publishesDecisions: true,
    readsSlackSecret: false,
    memorySize: 256,
    timeoutSeconds: 60,
    description: 'Alerts on key policy lock-outs, disables of keys in use and custom key store risks.',
  },
  notifier: {
    kmsKeyActions: [],
    accountActions: [],
    // Idempotency records (one Slack message per decision) live in the single table.
    table: 'read-write',
    publishesDecisions: false,
    readsSlackSecret: true,
    memorySize: 256,
    timeoutSeconds: 60,
    description: 'Posts each decision published on the guard bus to Slack.',
  },
  'sweep-planner': {
    // organizations:ListAccounts (org mode without a member list) is granted by infra/constructs/sweep-fan-out.ts.
    kmsKeyActions: [],
    accountActions: [],
    table: 'none',
    publishesDecisions: false,
    readsSlackSecret: false,
    memorySize: 256,
    timeoutSeconds: 60,
    description: 'Hourly: queues a deletion sweep and a grant sweep per watched account and Region.',
  },
  'sweep-worker': {
    kmsKeyActions: [...DESCRIBE_KEY_ACTIONS, 'kms:ListGrants', 'kms:CancelKeyDeletion', 'kms:EnableKey', 'kms:RevokeGrant'],
    accountActions: ['kms:ListAliases', 'kms:ListKeys'],
    table: 'read-write',
    publishesDecisions: true,
    readsSlackSecret: false,
    memorySize: 512,
    timeoutSeconds: 900,
    description: 'Sweeps one account and Region (deletions or grants) within its KMS budget; hands the rest on.',
  },
};

export const FUNCTION_NAMES = Object.keys(FUNCTION_ACCESS) as FunctionName[];

/** Functions that call KMS: in org mode they assume the remediation role in the key's account. */
export const callsKms = (access: FunctionAccess): boolean =>
  access.kmsKeyActions.length > 0 || access.accountActions.some((action) => action.startsWith('kms:'));

/** Everything the remediation role in a member account must allow: the union of the guard's KMS needs. */
export const remediationActions = (): { keyActions: string[]; accountActions: string[] } => {
  const all = Object.values(FUNCTION_ACCESS);
  return {
    keyActions: [...new Set(all.flatMap((access) => access.kmsKeyActions))].sort(),
    accountActions: [...new Set(all.flatMap((access) => access.accountActions))].sort(),
  };
};
