/**
 * The deletion guard: for a ScheduleKeyDeletion, or a workload call that failed because its key is pending
 * deletion, gather the evidence, decide, and (in enforce mode) cancel the deletion and restore the prior state.
 * Fail closed: evidence it could not read, or a decision it could not record, still cancels (the key is left
 * Disabled) and is published with what failed. The trigger itself is recorded by the usage tracker (or the grant
 * tracker, for CreateGrant), whose rule matches it too: recording it here would hide how far the store has got,
 * which the repair reads before EnableKey (repair-key.ts).
 */
import { parseCloudTrailDate } from '../domain/cloudtrail-date.js';
import { decideDeletion, type DeletionVerdict } from '../domain/deletion/decide.js';
import { decisionEvidence } from '../domain/deletion/decision-evidence.js';
import { pendingUseDecisionId, scheduleDecisionId } from '../domain/deletion/decision-ids.js';
import type { DeletionEvidence, DeletionTrigger, FailedUse, Scheduling } from '../domain/deletion/evidence.js';
import { DECISION_STORE_UNAVAILABLE, failClosedVerdict } from '../domain/deletion/fail-closed.js';
import { isPendingDeletionFailure } from '../domain/deletion/timeline.js';
import type { GuardPolicy } from '../domain/guard-policy.js';
import { callerId, type KmsEvent } from '../domain/kms-event.js';
import type { ActionOutcome, Decision } from '../domain/model.js';
import { WORKLOAD_OPERATIONS } from '../domain/operations.js';
import type { Clock, DecisionPublisher, DecisionStore, GrantStore, KeyDirectory, UsageStore } from '../domain/ports.js';
import { InvalidRecordError, KmsGuardError } from '../errors.js';
import { enactDecision } from './enact-decision.js';
import { gatherDeletionEvidence } from './gather-deletion-evidence.js';
import { repairKey, type HistorySettle } from './repair-key.js';

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
  /** How long a repair waits for the store to record the scheduling before EnableKey (repair-key.ts). */
  readonly historySettle?: HistorySettle;
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
  if (!WORKLOAD_OPERATIONS.has(event.eventName)) {
    return { kind: 'ignored', reason: `${event.eventName} is not a workload operation` };
  }
  return { kind: 'pending-use' };
};

/** The key a failure concerns: the one KMS names in its message ("<arn> is pending deletion."), else the first. */
export const triggerKeyArn = (event: KmsEvent): string | undefined =>
  event.keyArns.find((keyArn) => event.error?.message.includes(keyArn) === true) ?? event.keyArns[0];

export const PENDING_STATES: ReadonlySet<string> = new Set(['PendingDeletion', 'PendingReplicaDeletion']);

/**
 * Returns the decisions made: none for a duplicate delivery or an event that needs none. `failure` replaces the
 * evidence of a pending-use event when a batch collapsed several failed calls into it (collapse-failures.ts).
 */
export const guardDeletion = async (deps: DeletionDeps, event: KmsEvent, failure?: FailedUse): Promise<Decision[]> => {
  const trigger = deletionTriggerOf(event);
  if (trigger.kind === 'ignored') return [];
  const keyArn = triggerKeyArn(event);
  if (keyArn === undefined) {
    throw new InvalidRecordError('deletion-guard', undefined, `event ${event.eventId} (${event.eventName}) names no key ARN`);
  }
  const directory = deps.keyDirectoryFor?.(keyArn);
  const { evidence, gaps } = await gatherDeletionEvidence(deps, {
    keyArn,
    accountId: event.accountId,
    region: event.region,
    trigger: { kind: trigger.kind, eventId: event.eventId, at: event.eventTime, actor: event.caller.principal } satisfies DeletionTrigger,
    ...(directory === undefined ? {} : { directory }),
    ...(trigger.kind === 'schedule' ? { triggerScheduling: schedulingOf(event) } : { triggerFailure: failure ?? failureOf(event) }),
  });
  // Someone already cancelled: re-enabling on a late failure event could undo a deliberate Disable.
  if (trigger.kind === 'pending-use' && gaps.length === 0 && evidence.currentState !== undefined && !PENDING_STATES.has(evidence.currentState)) return [];

  const now = deps.clock.now();
  const verdict = gaps.length > 0 ? failClosedVerdict(gaps) : decideDeletion(evidence, deps.policy, now);
  const dryRun = deps.mode === 'dry-run';
  const decisionId = trigger.kind === 'schedule' ? scheduleDecisionId(event.eventId, dryRun) : pendingUseDecisionId(keyArn, evidence.scheduling, dryRun);
  return enactDeletionVerdict(deps, {
    decisionId,
    eventId: event.eventId,
    actor: event.caller.principal,
    evidence,
    verdict,
    now,
    ...(directory === undefined ? {} : { directory }),
    // A redelivered scheduling whose first delivery still holds the claim is retried until that one completes.
    inProgress: trigger.kind === 'schedule' ? 'throw' : 'skip',
  });
};

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
  readonly inProgress?: 'skip' | 'throw';
}

/**
 * Records, acts on and publishes one deletion verdict (via enactDecision). A failed repair is surfaced as a
 * second decision, an alert, and then thrown: the claim of a failed decision can be taken again on redelivery.
 * A decision the store cannot record still cancels (fail closed) and is published, then the error is thrown.
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
  const { directory } = context;
  const act =
    verdict.action === 'cancel-deletion'
      ? repairKey(deps, { ...(directory === undefined ? {} : { directory }), keyArn: evidence.keyArn, reEnable: decision.reEnable ?? false, evidence })
      : async () => [];
  const cancelOnly = repairKey(deps, { ...(directory === undefined ? {} : { directory }), keyArn: evidence.keyArn, reEnable: false, evidence });
  const recorded = await enactDecision(deps, decision, act, {
    inProgress: context.inProgress ?? 'skip',
    unrecorded: { reason: DECISION_STORE_UNAVAILABLE, act: cancelOnly },
  });
  if (recorded === undefined) return [];
  const outcome = recorded.outcome ?? [];
  if (!outcome.some((call) => call.result === 'failed')) return [recorded];

  const { reEnable: _notApplicable, ...rest } = recorded;
  const alert: Decision = {
    ...rest,
    decisionId: `${decisionId}#cancel-failed`,
    action: 'alert',
    reasons: ['cancel-failed', ...recorded.reasons],
    evidence: { ...recorded.evidence, failedDecisionId: decisionId, outcome },
  };
  await enactDecision(deps, alert, async () => []);
  throw new DeletionRepairFailedError(evidence.keyArn, decisionId, outcome);
};
