/**
 * The one path every decision takes: claim it (idempotent on decisionId, with a lease), act unless dry-run,
 * publish it, record the outcome. A duplicate or concurrent delivery of the same trigger finds the claim taken
 * and does nothing, so KMS is called once. Publishing comes before completing: a decision acted on but not
 * published (EventBridge down, a crash) stays claimed, and is taken again once its lease runs out.
 */
import { withinBudget } from '../domain/decision-budget.js';
import type { ActionOutcome, Decision } from '../domain/model.js';
import type { DecisionPublisher, DecisionStore } from '../domain/ports.js';
import { KmsGuardError } from '../errors.js';

export interface EnactDeps {
  readonly decisions: DecisionStore;
  readonly publisher: DecisionPublisher;
}

/**
 * Performs the decision's KMS calls; only called in enforce mode, once per claim. Adapters report a call
 * that still fails after retries as a `failed` outcome; anything thrown is recorded as one too.
 */
export type Act = () => Promise<readonly ActionOutcome[]>;

export interface EnactOptions {
  /**
   * Another invocation holds the claim and has not completed it: 'skip' returns undefined (a duplicate
   * delivery), 'throw' raises DecisionInProgressError so the trigger is retried until the claim completes
   * or its lease runs out. Default 'skip'.
   */
  readonly inProgress?: 'skip' | 'throw';
  /**
   * The decision store failed to claim (not "taken": an error). Without this the error is thrown as it is.
   * With it, in enforce mode, `act` runs anyway (a fail-closed action that is safe to repeat), the decision is
   * published with `reason` first and the error in its evidence, and then the error is thrown for a retry.
   */
  readonly unrecorded?: { readonly reason: string; readonly act: Act };
}

/** Someone else's claim on the decision is live and not completed: retry later. */
export class DecisionInProgressError extends KmsGuardError {
  constructor(readonly decisionId: string) {
    super(`decision ${decisionId} is claimed by another invocation that has not completed it; retry later`);
  }
}

/**
 * Returns the decision as recorded (with its outcome), or undefined when it had already been claimed.
 * The caller checks the outcome for `failed` calls: those must surface (an alert) and be rethrown for retry.
 */
export const enactDecision = async (deps: EnactDeps, proposed: Decision, act: Act, options: EnactOptions = {}): Promise<Decision | undefined> => {
  const decision = withinBudget(proposed);
  let claimed: boolean;
  try {
    claimed = await deps.decisions.claim(decision);
  } catch (error) {
    if (options.unrecorded === undefined) throw error;
    await actUnrecorded(deps, decision, options.unrecorded, error);
    throw error;
  }
  if (!claimed) {
    if (options.inProgress === 'throw' && (await deps.decisions.get(decision.decisionId))?.outcome === undefined) {
      throw new DecisionInProgressError(decision.decisionId);
    }
    return undefined;
  }
  const outcome = decision.dryRun ? [] : await act().catch((error: unknown): ActionOutcome[] => [{ call: 'act', result: 'failed', detail: describe(error) }]);
  const recorded = decision.dryRun ? decision : { ...decision, outcome };
  await deps.publisher.publish([recorded]);
  await deps.decisions.complete(decision.decisionId, outcome);
  return recorded;
};

const actUnrecorded = async (deps: EnactDeps, decision: Decision, unrecorded: NonNullable<EnactOptions['unrecorded']>, error: unknown): Promise<void> => {
  const outcome = decision.dryRun
    ? undefined
    : await unrecorded.act().catch((failure: unknown): ActionOutcome[] => [{ call: 'act', result: 'failed', detail: describe(failure) }]);
  const { reEnable: _planned, ...rest } = decision;
  const published: Decision = withinBudget({
    ...rest,
    ...(decision.dryRun ? {} : { action: 'cancel-deletion' as const, reEnable: false }),
    reasons: [unrecorded.reason, ...decision.reasons.filter((reason) => reason !== unrecorded.reason)],
    evidence: { ...decision.evidence, storeError: describe(error) },
    ...(outcome === undefined ? {} : { outcome }),
  });
  await deps.publisher.publish([published]);
};

const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
