/**
 * The one path every decision takes: claim it (idempotent on decisionId), act unless dry-run, record the
 * outcome, publish it. A duplicate or concurrent delivery of the same trigger finds the claim taken and
 * does nothing, so KMS is called once.
 */
import type { ActionOutcome, Decision } from '../domain/model.js';
import type { DecisionPublisher, DecisionStore } from '../domain/ports.js';

export interface EnactDeps {
  readonly decisions: DecisionStore;
  readonly publisher: DecisionPublisher;
}

/**
 * Performs the decision's KMS calls; only called in enforce mode, once per claim. Adapters report a call
 * that still fails after retries as a `failed` outcome; anything thrown is recorded as one too.
 */
export type Act = () => Promise<readonly ActionOutcome[]>;

/**
 * Returns the decision as recorded (with its outcome), or undefined when it had already been claimed.
 * The caller checks the outcome for `failed` calls: those must surface (an alert) and be rethrown for retry.
 */
export const enactDecision = async (deps: EnactDeps, decision: Decision, act: Act): Promise<Decision | undefined> => {
  if (!(await deps.decisions.claim(decision))) return undefined;
  let recorded = decision;
  if (!decision.dryRun) {
    const outcome = await act().catch((error: unknown): ActionOutcome[] => [
      { call: 'act', result: 'failed', detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) },
    ]);
    await deps.decisions.complete(decision.decisionId, outcome);
    recorded = { ...decision, outcome };
  }
  await deps.publisher.publish([recorded]);
  return recorded;
};
