/**
 * The hourly deletion sweep, invoked by EventBridge Scheduler (its payload carries nothing the sweep needs).
 * Keys that could not be swept make the run fail after the others were handled, so the failure is visible and retried.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { RuntimeConfig } from '../config.js';
import { sweepPendingDeletions, type SweepDeps } from '../use-cases/sweep-pending-deletions.js';

export interface DeletionSweepDeps extends Omit<SweepDeps, 'mode' | 'policy'> {
  readonly config: Pick<RuntimeConfig, 'mode' | 'policy'>;
  readonly logger: Logger;
}

export interface DeletionSweepResult {
  readonly decisions: number;
  readonly byAction: Readonly<Record<string, number>>;
}

export const buildDeletionSweepHandler = (deps: DeletionSweepDeps) =>
  middy(async (): Promise<DeletionSweepResult> => {
    try {
      const decisions = await sweepPendingDeletions({ ...deps, mode: deps.config.mode, policy: deps.config.policy });
      const byAction: Record<string, number> = {};
      for (const decision of decisions) {
        byAction[decision.action] = (byAction[decision.action] ?? 0) + 1;
        deps.logger.info('decision', { decisionId: decision.decisionId, keyArn: decision.keyArn, action: decision.action, reasons: decision.reasons });
      }
      deps.logger.info('sweep finished', { decisions: decisions.length, byAction });
      return { decisions: decisions.length, byAction };
    } catch (error) {
      deps.logger.error('sweep failed', { error: error as Error });
      throw error;
    }
  }).use(injectLambdaContext(deps.logger, { clearState: true }));
