/**
 * The one routing table: which events reach which function. The CDK rules (infra/) are generated from it,
 * and `kms-guard replay` dispatches with the same patterns through `matchesPattern`, so the two cannot drift.
 */
import type { KmsEvent } from './domain/kms-event.js';
import { CUSTOM_KEY_STORE_OPERATIONS, GRANT_OPERATIONS, PENDING_DELETION_SUFFIXES } from './domain/operations.js';

export type FunctionName =
  | 'usage-tracker'
  | 'grant-tracker'
  | 'deletion-guard'
  | 'policy-guard'
  | 'notifier'
  | 'sweep-planner'
  | 'sweep-worker';

/** An EventBridge event pattern (the subset we use: values, prefix, suffix, anything-but, exists). */
export type EventPattern = { readonly [field: string]: EventPattern | readonly PatternValue[] };
export type PatternValue =
  | string
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly 'anything-but': readonly string[] }
  | { readonly exists: boolean };

export interface EventRoute {
  readonly id: string;
  readonly target: FunctionName;
  readonly description: string;
  readonly pattern: EventPattern;
  /**
   * Read-only management events (Decrypt, Encrypt…) reach only rules in this state; a plain ENABLED rule
   * silently sees none of them.
   */
  readonly state: 'ENABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
  /** Buffered through SQS (batched) rather than invoked directly. */
  readonly viaQueue: boolean;
  /**
   * With viaQueue: the route has a queue of its own, consumed by `target` in small batches at capped concurrency
   * (infra/constructs/failure-buffer.ts), instead of the usage buffer. For failed calls, which anyone can flood.
   */
  readonly ownQueue?: boolean;
}

export const CLOUDTRAIL_DETAIL_TYPES = ['AWS API Call via CloudTrail', 'AWS Service Event via CloudTrail'] as const;
export const KMS_SERVICE_DETAIL_TYPES = [
  'KMS CMK Deletion',
  'KMS CMK Rotation',
  'KMS Imported Key Material Expiration',
] as const;

const grantOperations = [...GRANT_OPERATIONS];

export const ROUTES: readonly EventRoute[] = [
  {
    id: 'UsageAndLifecycle',
    target: 'usage-tracker',
    description: 'Every KMS call and KMS service event except grants: usage, failures and key state.',
    pattern: {
      source: ['aws.kms'],
      'detail-type': [...CLOUDTRAIL_DETAIL_TYPES, ...KMS_SERVICE_DETAIL_TYPES],
      detail: { eventName: [{ 'anything-but': grantOperations }] },
    },
    state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
    viaQueue: true,
  },
  {
    id: 'KmsServiceEvents',
    target: 'usage-tracker',
    description: 'KMS service events (key deleted, rotated, imported material expired) carry no eventName.',
    pattern: { source: ['aws.kms'], 'detail-type': [...KMS_SERVICE_DETAIL_TYPES] },
    state: 'ENABLED',
    viaQueue: true,
  },
  {
    id: 'Grants',
    target: 'grant-tracker',
    description: 'CreateGrant, RetireGrant and RevokeGrant.',
    pattern: {
      source: ['aws.kms'],
      'detail-type': [...CLOUDTRAIL_DETAIL_TYPES],
      detail: { eventSource: ['kms.amazonaws.com'], eventName: grantOperations },
    },
    state: 'ENABLED',
    viaQueue: false,
  },
  {
    id: 'ScheduleKeyDeletion',
    target: 'deletion-guard',
    description: 'A key was scheduled for deletion.',
    pattern: {
      source: ['aws.kms'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['kms.amazonaws.com'], eventName: ['ScheduleKeyDeletion'], errorCode: [{ exists: false }] },
    },
    state: 'ENABLED',
    viaQueue: false,
  },
  {
    id: 'UseWhilePendingDeletion',
    target: 'deletion-guard',
    description: 'A call failed because its key is pending deletion (or replica deletion): a workload depends on it. React within seconds, in batches.',
    pattern: {
      source: ['aws.kms'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['kms.amazonaws.com'], errorMessage: PENDING_DELETION_SUFFIXES.map((suffix) => ({ suffix })) },
    },
    state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
    viaQueue: true,
    ownQueue: true,
  },
  {
    id: 'PolicyAndDisable',
    target: 'policy-guard',
    description: 'Key policy changes, disables and custom key store changes that cannot be rolled back.',
    pattern: {
      source: ['aws.kms'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['kms.amazonaws.com'],
        // ReplicateKey sets the replica's key policy (and may bypass the lockout safety check) like CreateKey.
        eventName: ['PutKeyPolicy', 'CreateKey', 'ReplicateKey', 'DisableKey', ...CUSTOM_KEY_STORE_OPERATIONS],
      },
    },
    state: 'ENABLED',
    viaQueue: false,
  },
  {
    id: 'UseWhileDisabled',
    target: 'policy-guard',
    description: 'A call failed because its key is disabled: name the workloads that broke.',
    pattern: {
      source: ['aws.kms'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['kms.amazonaws.com'], errorCode: ['DisabledException'] },
    },
    state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
    viaQueue: true,
    ownQueue: true,
  },
  {
    id: 'CloudHsmDeleteHsm',
    target: 'policy-guard',
    description: 'An HSM was added to or removed from a CloudHSM cluster that may back a custom key store (CreateHsm keeps the count).',
    pattern: {
      source: ['aws.cloudhsm'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['cloudhsm.amazonaws.com'], eventName: ['CreateHsm', 'DeleteHsm'] },
    },
    state: 'ENABLED',
    viaQueue: false,
  },
];

/**
 * Scheduled functions (EventBridge Scheduler), with their default rate. The planner queues the hourly deletion and
 * grant sweeps per account and Region for the sweep workers; deletion-sweep and grant-expirer (one function sweeping
 * every account) stay deployable for a single small account but are no longer scheduled.
 */
export const SCHEDULES: readonly { readonly target: FunctionName; readonly rate: string }[] = [
  { target: 'sweep-planner', rate: 'rate(1 hour)' },
];

/** The EventBridge view of a normalised event, for matching against the routing patterns. */
export const toRoutingEnvelope = (event: KmsEvent): Record<string, unknown> => {
  const source = event.eventSource === 'cloudhsm.amazonaws.com' ? 'aws.cloudhsm' : 'aws.kms';
  // KMS service events ("KMS CMK Deletion") carry the key id only, no CloudTrail fields.
  if ((KMS_SERVICE_DETAIL_TYPES as readonly string[]).includes(event.eventName)) {
    return { source, 'detail-type': event.eventName, detail: {} };
  }
  return {
    source,
    'detail-type': event.category === 'service-event' ? 'AWS Service Event via CloudTrail' : 'AWS API Call via CloudTrail',
    detail: {
      eventSource: event.eventSource,
      eventName: event.eventName,
      ...(event.error === undefined ? {} : { errorCode: event.error.code, errorMessage: event.error.message }),
    },
  };
};

/** The functions an event reaches, in table order, each once. */
export const routeEvent = (event: KmsEvent): FunctionName[] => {
  const envelope = toRoutingEnvelope(event);
  const targets = ROUTES.filter((route) => matchesPattern(route.pattern, envelope)).map((route) => route.target);
  return [...new Set(targets)];
};

export const matchesPattern = (pattern: EventPattern, value: unknown): boolean => {
  const object = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  return Object.entries(pattern).every(([field, rule]) => {
    const actual = object[field];
    if (Array.isArray(rule)) return (rule as readonly PatternValue[]).some((candidate) => matchesValue(candidate, actual));
    return matchesPattern(rule as EventPattern, actual);
  });
};

const matchesValue = (candidate: PatternValue, actual: unknown): boolean => {
  if (typeof candidate === 'string') return actual === candidate;
  if ('exists' in candidate) return candidate.exists === (actual !== undefined);
  if (typeof actual !== 'string') return false;
  if ('prefix' in candidate) return actual.startsWith(candidate.prefix);
  if ('suffix' in candidate) return actual.endsWith(candidate.suffix);
  return !candidate['anything-but'].includes(actual);
};
