/** The hourly sweep planner, invoked by EventBridge Scheduler: queues one work item per sweep kind, account and Region. */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { planSweepRun, type PlanSweepDeps } from '../use-cases/plan-sweep-run.js';

export interface SweepPlannerDeps extends Omit<PlanSweepDeps, 'guardAccountId' | 'region' | 'memberAccountIds'> {
  readonly config: { readonly accountId: string; readonly region: string; readonly memberAccountIds: readonly string[] };
  readonly logger: Logger;
}

export const buildSweepPlannerHandler = (deps: SweepPlannerDeps) =>
  middy(async (): Promise<{ readonly queued: number; readonly accounts: number }> => {
    try {
      const items = await planSweepRun({ ...deps, guardAccountId: deps.config.accountId, region: deps.config.region, memberAccountIds: deps.config.memberAccountIds });
      const accounts = new Set(items.map((item) => item.accountId)).size;
      deps.logger.info('sweeps planned', { queued: items.length, accounts });
      return { queued: items.length, accounts };
    } catch (error) {
      deps.logger.error('sweep planning failed', { error: error as Error });
      throw error;
    }
  }).use(injectLambdaContext(deps.logger, { clearState: true }));
