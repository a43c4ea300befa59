/**
 * What each function may do, as data: the least-privilege IAM the stacks grant and the tests assert.
 * KMS actions are exactly the calls the adapters make (lib/adapters/kms-*.ts); nothing cryptographic,
 * nothing that schedules deletion, changes a key policy or creates grants.
 */
import type { TableStoreName } from '../lib/adapters/dynamodb-actions.js';
import type { FunctionName } from '../lib/routing.js';

/**
 * What a KMS-calling function does in member accounts, one remediation role per duty (org mode): the deletion guard
 * cancels and restores but cannot revoke a grant; the sweep worker sweeps deletions and grants; the policy guard only
 * reads, and can neither cancel, re-enable nor revoke there.
 */
export type RemediationDuty = 'deletion' | 'sweeps' | 'policy';
export const REMEDIATION_DUTIES: readonly RemediationDuty[] = ['deletion', 'sweeps', 'policy'];

export interface FunctionAccess {
  /** The member-account role it assumes (org mode); only functions that call KMS have one. */
  readonly remediationDuty?: RemediationDuty;
  /** KMS actions on keys (resource `key/*` in the guard's account and Region, or via the remediation role). */
  readonly kmsKeyActions: readonly string[];
  /** Actions that support no resource-level permission (`Resource: *`). */
  readonly accountActions: readonly string[];
  /**
   * The stores its wiring builds on the single table (lib/wiring/*): it is granted exactly their DynamoDB actions
   * (lib/adapters/dynamodb-actions.ts, held against the adapters' real calls by the store contract).
   */
  readonly tableStores: readonly TableStoreName[];
  /** Publishes decisions on the guard bus (events:PutEvents). */
  readonly publishesDecisions: boolean;
  /** Reads the Slack webhook secret (secretsmanager:GetSecretValue). */
  readonly readsSlackSecret: boolean;
  /** Memory in MB and timeout in seconds, sized for its work (batches of 1000, hourly sweeps). */
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  readonly description: string;
  /**
   * Executions set aside for the function (reserved concurrency): a flood elsewhere in the account cannot take
   * them, and it cannot use more. Default none (the account's unreserved pool).
   */
  readonly reservedConcurrency?: number;
}

/** DescribeKey + ListResourceTags + ListAliases + GetKeyLastUsage: KeyDirectory.describe(). */
const DESCRIBE_KEY_ACTIONS = ['kms:DescribeKey', 'kms:ListResourceTags', 'kms:GetKeyLastUsage'] as const;

export const FUNCTION_ACCESS: Readonly<Record<FunctionName, FunctionAccess>> = {
  'usage-tracker': {
    kmsKeyActions: [],
    accountActions: [],
    tableStores: ['usage'],
    publishesDecisions: false,
    readsSlackSecret: false,
    memorySize: 1024,
    timeoutSeconds: 120,
    description: 'Records KMS usage and key state from the SQS buffer (batches of up to 1000 events).',
  },
  'grant-tracker': {
    kmsKeyActions: [],
    accountActions: [],
    tableStores: ['usage'],
    publishesDecisions: false,
    readsSlackSecret: false,
    memorySize: 256,
    timeoutSeconds: 30,
    description: 'Records CreateGrant, RetireGrant and RevokeGrant.',
  },
  'deletion-guard': {
    remediationDuty: 'deletion',
    kmsKeyActions: [...DESCRIBE_KEY_ACTIONS, 'kms:ListGrants', 'kms:CancelKeyDeletion', 'kms:EnableKey'],
    accountActions: ['kms:ListAliases'],
    tableStores: ['usage', 'grants', 'coverage', 'decisions'],
    publishesDecisions: true,
    readsSlackSecret: false,
    memorySize: 512,
    timeoutSeconds: 60,
    description: 'Cancels risky ScheduleKeyDeletion calls and restores the key state.',
    // Failed-call batches use at most PENDING_USE_MAX_CONCURRENCY of these; the rest are the schedulings'.
    reservedConcurrency: 10,
  },
  'policy-guard': {
    remediationDuty: 'policy',
    kmsKeyActions: [...DESCRIBE_KEY_ACTIONS],
    accountActions: ['kms:ListAliases', 'kms:DescribeCustomKeyStores', 'cloudhsm:DescribeClusters'],
    tableStores: ['usage', 'decisions', 'customKeyStores'],
    publishesDecisions: true,
    readsSlackSecret: false,
    memorySize: 256,
    timeoutSeconds: 60,
    description: 'Alerts on key policy lock-outs, disables of keys in use and custom key store risks.',
  },
  notifier: {
    kmsKeyActions: [],
    accountActions: [],
    // Idempotency records (one Slack message per decision) on the single table, their partition only (LeadingKeys).
    tableStores: ['notifierIdempotency'],
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
    tableStores: [],
    publishesDecisions: false,
    readsSlackSecret: false,
    memorySize: 256,
    timeoutSeconds: 60,
    description: 'Hourly: queues a deletion sweep and a grant sweep per watched account and Region.',
  },
  'sweep-worker': {
    remediationDuty: 'sweeps',
    kmsKeyActions: [...DESCRIBE_KEY_ACTIONS, 'kms:ListGrants', 'kms:CancelKeyDeletion', 'kms:EnableKey', 'kms:RevokeGrant'],
    accountActions: ['kms:ListAliases', 'kms:ListKeys'],
    tableStores: ['usage', 'grants', 'coverage', 'decisions'],
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

/** The functions of a duty: they, and only they, may assume its role. */
export const functionsOfDuty = (duty: RemediationDuty): FunctionName[] =>
  FUNCTION_NAMES.filter((name) => FUNCTION_ACCESS[name].remediationDuty === duty);

/** A duty's role in member accounts: `<remediationRoleName>-<duty>`. */
export const remediationRoleName = (baseName: string, duty: RemediationDuty): string => `${baseName}-${duty}`;

/** What a duty's role in a member account must allow: the KMS needs of that duty's functions, nothing more. */
export const remediationActions = (duty: RemediationDuty): { keyActions: string[]; accountActions: string[] } => {
  const all = functionsOfDuty(duty).map((name) => FUNCTION_ACCESS[name]);
  return {
    keyActions: [...new Set(all.flatMap((access) => access.kmsKeyActions))].sort(),
    accountActions: [...new Set(all.flatMap((access) => access.accountActions))].sort(),
  };
};

/** FUNCTION_ACCESS with the deployment's reservation (`deletionGuardReservedConcurrency`; 0 reserves none). */
export const accessFor = (name: FunctionName, reservedConcurrency: number): FunctionAccess => {
  const access = FUNCTION_ACCESS[name];
  if (access.reservedConcurrency === undefined) return access;
  if (reservedConcurrency > 0) return { ...access, reservedConcurrency };
  const { reservedConcurrency: _reserved, ...unreserved } = access;
  return unreserved;
};

/** Batches of calls failing on keys pending deletion handled at once (the deletion guard's queue). */
export const PENDING_USE_MAX_CONCURRENCY = 2;
/** Batches of calls failing on disabled keys handled at once (the policy guard's queue). */
export const DISABLED_USE_MAX_CONCURRENCY = 2;
