/**
 * The deletion guard: for a ScheduleKeyDeletion, or a cryptographic call that failed because its key is pending
 * deletion, gather the evidence, decide, and (in enforce mode) cancel the deletion and restore the prior state.
 */
import { parseCloudTrailDate } from '../domain/cloudtrail-date.js';
import { buildDeletionEvidence, type EvidenceInput } from '../domain/deletion/build-evidence.js';
import { decideDeletion, type DeletionVerdict } from '../domain/deletion/decide.js';
import { decisionEvidence } from '../domain/deletion/decision-evidence.js';
import type { DeletionEvidence, DeletionTrigger, FailedUse, Scheduling } from '../domain/deletion/evidence.js';
import { isPendingDeletionFailure } from '../domain/deletion/timeline.js';
import type { GuardPolicy } from '../domain/guard-policy.js';
import { callerId, type KmsEvent } from '../domain/kms-event.js';
import type { ActionOutcome, Decision } from '../domain/model.js';
import { CRYPTOGRAPHIC_OPERATIONS } from '../domain/operations.js';
import type { Clock, DecisionPublisher, DecisionStore, GrantStore, KeyDirectory, UsageStore } from '../domain/ports.js';
import { InvalidRecordError, KmsGuardError } from '../errors.js';
import { enactDecision } from './enact-decision.js';

export interface DeletionDeps {
  readonly usage: UsageStore;
  readonly grants: GrantStore;
  readonly decisions: DecisionStore;
  readonly publisher: DecisionPublisher;
  /** KMS for the key's account and Region; absent in replay, where the store is the only evidence. */
  readonly keyDirectoryFor?: (keyArn: string) => KeyDirectory;
  readonly policy: GuardPolicy;
  readonly mode: 'enforce' | 'dry-run';
  readonly clock: Clock;
}

/** CancelKeyDeletion (or the EnableKey after it) still failed after retries: rethrown so the event is retried, then dead-lettered. */
export class DeletionRepairFailedError extends KmsGuardError {
  constructor(
    readonly keyArn: string,
    readonly decisionId: string,
    readonly outcome: readonly ActionOutcome[],
  ) {
    const calls = outcome.map((call) => `${call.call} ${call.result}${call.detail === undefined ? '' : ` (${call.detail})`}`);
    super(`could not restore ${keyArn} (decision ${decisionId}): ${calls.join(', ')}`);
  }
}

export type DeletionTriggerKind =
  | { readonly kind: 'schedule' | 'pending-use' }
  | { readonly kind: 'ignored'; readonly reason: string };

/** Which events the guard decides on; anything else reaching it is ignored with a reason. */
export const deletionTriggerOf = (event: KmsEvent): DeletionTriggerKind => {
  if (event.eventName === 'ScheduleKeyDeletion') {
    return event.error === undefined ? { kind: 'schedule' } : { kind: 'ignored', reason: `ScheduleKeyDeletion failed (${event.error.code})` };
  }
  if (event.error === undefined || !isPendingDeletionFailure({ errorCode: event.error.code, message: event.error.message })) {
    return { kind: 'ignored', reason: `${event.eventName} is neither a scheduling nor a failure on a key pending deletion` };
  }
  // An EnableKey or a GetPublicKey refused on a pending key is a person looking, not a workload depending on it.
  if (!CRYPTOGRAPHIC_OPERATIONS.has(event.eventName)) {
    return { kind: 'ignored', reason: `${event.eventName} is not a cryptographic operation` };
  }
  return { kind: 'pending-use' };
};

const PENDING_STATES: ReadonlySet<string> = new Set(['PendingDeletion', 'PendingReplicaDeletion']);

/** Returns the decisions made: none for a duplicate delivery or an event that needs none. */
export const guardDeletion = async (deps: DeletionDeps, event: KmsEvent): Promise<Decision[]> => {
  const trigger = deletionTriggerOf(event);
  if (trigger.kind === 'ignored') return [];
  const keyArn = event.keyArns[0];
  if (keyArn === undefined) {
    throw new InvalidRecordError('deletion-guard', undefined, `event ${event.eventId} (${event.eventName}) names no key ARN`);
  }
  await deps.usage.record([event]);

  const directory = deps.keyDirectoryFor?.(keyArn);
  const [key, usage, storeGrants, kms] = await Promise.all([
    deps.usage.getKey(keyArn),
    deps.usage.getUsage(keyArn),
    deps.grants.listGrants(keyArn),
    directory === undefined ? undefined : Promise.all([directory.describe(keyArn), directory.listGrants(keyArn)]),
  ]);
  const input: EvidenceInput = {
    keyArn,
    accountId: event.accountId,
    region: event.region,
    trigger: { kind: trigger.kind, eventId: event.eventId, at: event.eventTime, actor: event.caller.principal } satisfies DeletionTrigger,
    key,
    usage,
    storeGrants,
    ...(kms === undefined ? {} : { kms: { facts: kms[0], grants: kms[1] } }),
    ...(trigger.kind === 'schedule' ? { triggerScheduling: schedulingOf(event) } : { triggerFailure: failureOf(event) }),
  };
  const evidence = buildDeletionEvidence(input);
  // Someone already cancelled: re-enabling on a late failure event could undo a deliberate Disable.
  if (trigger.kind === 'pending-use' && evidence.currentState !== undefined && !PENDING_STATES.has(evidence.currentState)) return [];

  const now = deps.clock.now();
  const verdict = decideDeletion(evidence, deps.policy, now);
  const scheduling = evidence.scheduling;
  const decisionId = trigger.kind === 'schedule' ? event.eventId : pendingUseDecisionId(keyArn, scheduling);
  return enactDeletionVerdict(deps, { decisionId, eventId: event.eventId, actor: event.caller.principal, evidence, verdict, now, directory });
};

/** One decision per scheduling for the failures it causes: a workload hammering the key cancels once. */
export const pendingUseDecisionId = (keyArn: string, scheduling: Scheduling | undefined): string =>
  `pending-use#${keyArn}#${scheduling?.eventId ?? scheduling?.scheduledAt ?? scheduling?.deletionDate ?? 'unknown'}`;

const schedulingOf = (event: KmsEvent): Scheduling => {
  const window = event.responseElements.pendingWindowInDays ?? event.requestParameters.pendingWindowInDays;
  const deletionDate = parseCloudTrailDate(event.responseElements.deletionDate);
  return {
    scheduledAt: event.eventTime,
    eventId: event.eventId,
    by: event.caller.principal,
    ...(deletionDate === undefined ? {} : { deletionDate }),
    ...(typeof window === 'number' ? { pendingWindowInDays: window } : {}),
  };
};

const failureOf = (event: KmsEvent): FailedUse => ({
  at: event.eventTime,
  operation: event.eventName,
  errorCode: event.error?.code ?? '',
  message: event.error?.message ?? '',
  eventId: event.eventId,
  callers: [callerId(event.caller)],
});

export interface VerdictContext {
  readonly decisionId: string;
  /** The triggering CloudTrail eventID, or the sweep id. */
  readonly eventId: string;
  readonly actor?: string;
  readonly evidence: DeletionEvidence;
  readonly verdict: DeletionVerdict;
  readonly now: Date;
  readonly directory?: KeyDirectory;
}

/**
 * Records, acts on and publishes one deletion verdict (via enactDecision). A failed repair is surfaced as a
 * second decision, an alert, and then thrown: the claim of a failed decision can be taken again on redelivery.
 */
export const enactDeletionVerdict = async (deps: DeletionDeps, context: VerdictContext): Promise<Decision[]> => {
  const { evidence, verdict, decisionId } = context;
  const deletionDate = evidence.scheduling?.deletionDate;
  const decision: Decision = {
    decisionId,
    action: verdict.action,
    keyArn: evidence.keyArn,
    reasons: verdict.reasons,
    evidence: decisionEvidence(evidence, verdict),
    eventId: context.eventId,
    decidedAt: context.now.toISOString(),
    ...(context.actor === undefined ? {} : { actor: context.actor }),
    accountId: evidence.accountId,
    region: evidence.region,
    ...(verdict.action === 'cancel-deletion' ? { reEnable: verdict.reEnable ?? false } : {}),
    ...(deletionDate === undefined ? {} : { deletionDate }),
    dryRun: deps.mode === 'dry-run',
  };
  const act = verdict.action === 'cancel-deletion' ? repair(context.directory, evidence.keyArn, decision.reEnable ?? false) : async () => [];
  const recorded = await enactDecision(deps, decision, act);
  if (recorded === undefined) return [];
  const outcome = recorded.outcome ?? [];
  if (!outcome.some((call) => call.result === 'failed')) return [recorded];

  const { reEnable: _notApplicable, ...rest } = decision;
  const alert: Decision = {
    ...rest,
    decisionId: `${decisionId}#cancel-failed`,
    action: 'alert',
    reasons: ['cancel-failed', ...decision.reasons],
    evidence: { ...decision.evidence, failedDecisionId: decisionId, outcome },
  };
  await enactDecision(deps, alert, async () => []);
  throw new DeletionRepairFailedError(evidence.keyArn, decisionId, outcome);
};

/** CancelKeyDeletion leaves the key Disabled: EnableKey only when it was Enabled before, and only after a cancel that held. */
const repair =
  (directory: KeyDirectory | undefined, keyArn: string, reEnable: boolean) => async (): Promise<ActionOutcome[]> => {
    if (directory === undefined) {
      return [{ call: 'CancelKeyDeletion', result: 'failed', detail: 'no KMS access configured for this key' }];
    }
    const cancel = await attempt('CancelKeyDeletion', () => directory.cancelKeyDeletion(keyArn));
    if (!reEnable) return [cancel];
    if (cancel.result === 'failed') return [cancel, { call: 'EnableKey', result: 'skipped', detail: 'CancelKeyDeletion failed' }];
    return [cancel, await attempt('EnableKey', () => directory.enableKey(keyArn))];
  };

/** Keeps the outcome of earlier calls when a later one throws instead of reporting `failed`. */
const attempt = async (call: string, invoke: () => Promise<ActionOutcome>): Promise<ActionOutcome> => {
  try {
    return await invoke();
  } catch (error) {
    return { call, result: 'failed', detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
};
