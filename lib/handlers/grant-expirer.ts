/**
 * The hourly grant sweep, invoked by EventBridge Scheduler (its payload carries nothing the sweep needs).
 * Grants that could not be revoked, and keys that could not be swept, make the run fail once every other
 * grant was handled: the failure shows in the function's errors and the next run retries it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { RuntimeConfig } from '../config.js';
import { KmsGuardError } from '../errors.js';
import { expireGrants, type ExpireGrantsDeps, type GrantSweepFailure, type GrantSweepResult } from '../use-cases/expire-grants.js';

export interface GrantExpirerDeps extends Omit<ExpireGrantsDeps, 'mode' | 'policy'> {
  readonly config: Pick<RuntimeConfig, 'mode' | 'policy'>;
  readonly logger: Logger;
}

export type GrantExpirerResult = Omit<GrantSweepResult, 'decisions' | 'failures'> & {
  readonly decisions: readonly { readonly decisionId: string; readonly reasons: readonly string[]; readonly dryRun: boolean }[];
};

/** Thrown after the sweep: names every grant or key that failed. */
export class GrantSweepFailedError extends KmsGuardError {
  constructor(
    readonly eventId: string,
    readonly failures: readonly GrantSweepFailure[],
  ) {
    super(
      `${eventId}: ${failures.length} failure(s): ${failures
        .map((failure) => `${failure.keyArn}${failure.grantId === undefined ? '' : ` grant ${failure.grantId}`}: ${failure.detail}`)
        .join('; ')}`,
    );
  }
}

export const buildGrantExpirerHandler = (deps: GrantExpirerDeps) =>
  middy(async (): Promise<GrantExpirerResult> => {
    const { decisions, failures, ...counts } = await expireGrants({ ...deps, mode: deps.config.mode, policy: deps.config.policy });
    for (const decision of decisions) {
      deps.logger.info('decision', {
        decisionId: decision.decisionId,
        keyArn: decision.keyArn,
        grantId: decision.grantId,
        reasons: decision.reasons,
        dryRun: decision.dryRun,
        outcome: decision.outcome,
      });
    }
    for (const failure of failures) deps.logger.error('grant sweep failure', { ...failure });
    deps.logger.info('grant sweep finished', { ...counts, decisions: decisions.length, failures: failures.length });
    if (failures.length > 0) throw new GrantSweepFailedError(counts.eventId, failures);
    return {
      ...counts,
      decisions: decisions.map(({ decisionId, reasons, dryRun }) => ({ decisionId, reasons, dryRun })),
    };
  }).use(injectLambdaContext(deps.logger, { clearState: true }));
