/**
 * The grant tracker's Lambda: EventBridge invokes it with one CreateGrant, RetireGrant or RevokeGrant.
 * A malformed event or a write that still fails throws, so EventBridge retries and then dead-letters it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { RecordResult, UsageStore } from '../domain/ports.js';
import { recordEvents } from '../use-cases/record-events.js';
import { parseOneEvent } from './parse-one-event.js';

export interface GrantTrackerDeps {
  readonly usage: UsageStore;
  readonly logger: Logger;
}

export const buildGrantTrackerHandler = (deps: GrantTrackerDeps) =>
  middy(async (input: unknown): Promise<RecordResult> => {
    const outcome = parseOneEvent(input, deps.logger);
    if (outcome.kind === 'skipped') return recordEvents(deps, []);
    const { event } = outcome;
    deps.logger.appendKeys({ eventId: event.eventId, eventName: event.eventName, keyArn: event.keyArns[0] });
    const result = await recordEvents(deps, [event]);
    deps.logger.info('grant event recorded', { ...result });
    return result;
  }).use(injectLambdaContext(deps.logger, { clearState: true }));
