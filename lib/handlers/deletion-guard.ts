/**
 * The deletion guard's Lambda: EventBridge invokes it with one ScheduleKeyDeletion, or one call that failed on a
 * key pending deletion. A malformed event throws (EventBridge retries, then dead-letters it with the reason);
 * a repair that still fails throws too, after its alert was recorded, and so does a redelivered scheduling whose
 * first delivery still holds the claim (DecisionInProgressError), so that EventBridge retries it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { KmsCallBudget } from '../adapters/kms-call-budget.js';
import type { RuntimeConfig } from '../config.js';
import { deletionTriggerOf, guardDeletion, type DeletionDeps } from '../use-cases/guard-deletion.js';
import { parseOneEvent } from './parse-one-event.js';

export interface DeletionGuardDeps extends Omit<DeletionDeps, 'mode' | 'policy'> {
  readonly config: Pick<RuntimeConfig, 'mode' | 'policy'>;
  readonly logger: Logger;
  /** The invocation's KMS evidence-call budget (lib/adapters/kms-call-budget.ts), reset per invocation. */
  readonly evidenceBudget?: Pick<KmsCallBudget, 'reset' | 'used'>;
}

export interface DeletionGuardResult {
  readonly decisions: readonly { readonly decisionId: string; readonly action: string; readonly reasons: readonly string[] }[];
}

export const buildDeletionGuardHandler = (deps: DeletionGuardDeps) =>
  middy(async (input: unknown): Promise<DeletionGuardResult> => {
    deps.evidenceBudget?.reset();
    const outcome = parseOneEvent(input, deps.logger);
    if (outcome.kind === 'skipped') return { decisions: [] };
    const { event } = outcome;
    deps.logger.appendKeys({ eventId: event.eventId, eventName: event.eventName, keyArn: event.keyArns[0] });
    const trigger = deletionTriggerOf(event);
    if (trigger.kind === 'ignored') {
      deps.logger.warn('event ignored', { reason: trigger.reason });
      return { decisions: [] };
    }
    const decisions = await guardDeletion({ ...deps, mode: deps.config.mode, policy: deps.config.policy }, event);
    if (decisions.length === 0) deps.logger.info('no new decision: already decided, or the key is no longer pending deletion');
    for (const decision of decisions) {
      deps.logger.info('decision', { decisionId: decision.decisionId, action: decision.action, reasons: decision.reasons, outcome: decision.outcome });
    }
    return { decisions: decisions.map(({ decisionId, action, reasons }) => ({ decisionId, action, reasons })) };
  }).use(injectLambdaContext(deps.logger, { clearState: true }));
