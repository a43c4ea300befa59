/**
 * The backfill's first step: the execution input checked and completed into a plan, or the execution fails here
 * with the field named, before anything is listed. Step Functions passes {input, runId, startedAt}.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { planBackfill, type BackfillPlan } from '../backfill/backfill-plan.js';
import type { BackfillConfig } from '../backfill/config.js';
import { BackfillInputError } from '../backfill/errors.js';

export interface BackfillPlanDeps {
  readonly config: Pick<BackfillConfig, 'trailBucket' | 'trailPrefix' | 'defaultConcurrency'>;
  readonly logger: Logger;
}

const Event = z.object({ input: z.unknown(), runId: z.string().min(1), startedAt: z.string().min(1) });

export const buildBackfillPlanHandler = (deps: BackfillPlanDeps) =>
  middy(async (event: unknown): Promise<BackfillPlan> => {
    const parsed = Event.safeParse(event);
    if (!parsed.success) throw new BackfillInputError(`backfill plan step: ${z.prettifyError(parsed.error)}`);
    const { input, runId, startedAt } = parsed.data;
    const plan = planBackfill(input, {
      runId,
      startedAt,
      bucket: deps.config.trailBucket,
      prefix: deps.config.trailPrefix,
      defaultConcurrency: deps.config.defaultConcurrency,
    });
    deps.logger.info('backfill planned', { plan });
    return plan;
  }).use(injectLambdaContext(deps.logger, { clearState: true }));
