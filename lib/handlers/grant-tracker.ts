/**
 * The grant tracker's Lambda: EventBridge invokes it with one CreateGrant, RetireGrant or RevokeGrant.
 * A malformed event or a write that still fails throws, so EventBridge retries and then dead-letters it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { RecordResult, UsageStore } from '../domain/ports.js';
import { parseRecord } from '../ingest/parse-record.js';
import { recordEvents } from '../use-cases/record-events.js';

export interface GrantTrackerDeps {
  readonly usage: UsageStore;
  readonly logger: Logger;
}

export const buildGrantTrackerHandler = (deps: GrantTrackerDeps) =>
  middy(async (input: unknown): Promise<RecordResult> => {
    const outcome = parseRecord(input, `EventBridge event ${eventBridgeId(input)}`, undefined);
    if (outcome.kind === 'rejected') {
      deps.logger.error('event rejected', { reason: outcome.error.message });
      throw outcome.error;
    }
    if (outcome.kind === 'skipped') {
      deps.logger.warn('event skipped', { reason: outcome.reason });
      return recordEvents(deps, []);
    }
    const { event } = outcome;
    deps.logger.appendKeys({ eventId: event.eventId, eventName: event.eventName, keyArn: event.keyArns[0] });
    const result = await recordEvents(deps, [event]);
    deps.logger.info('grant event recorded', { ...result });
    return result;
  }).use(injectLambdaContext(deps.logger, { clearState: true }));

const eventBridgeId = (input: unknown): string =>
  typeof input === 'object' && input !== null && 'id' in input && typeof input.id === 'string' ? input.id : '(no id)';
