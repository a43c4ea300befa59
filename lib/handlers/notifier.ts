/**
 * The notifier: EventBridge invokes it (asynchronously) with one decision event from the guard's bus.
 * The event is validated first (a malformed one throws an InvalidRecordError naming the event and the
 * fields, so the async invocation's on-failure destination keeps it with the reason). Idempotency on the single table makes a redelivered event post
 * once: the key is the decision id plus its outcome, so a retried decision whose outcome changed is
 * reported again. A post that still fails throws: Lambda retries it, then dead-letters it.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import { NOTIFIER_PARTITION } from '../adapters/dynamodb-actions.js';
import { TTL_ATTRIBUTE } from '../adapters/dynamodb-table.js';
import type { RuntimeConfig } from '../config.js';
import { InvalidRecordError } from '../errors.js';
import { decisionEventSchema, type DecisionEvent } from '../domain/decision-events.js';
import type { Decision } from '../domain/model.js';
import type { SlackPoster } from '../domain/slack-message.js';
import { notifyDecision } from '../use-cases/notify-decision.js';

export interface NotifierDeps {
  /** Decisions are accepted only from the guard's own account (EventBridge's `account` is the sender's). */
  readonly config: Pick<RuntimeConfig, 'accountId'>;
  readonly logger: Logger;
  readonly slack: SlackPoster;
  /** DynamoDBPersistenceLayer on the single table (see notifierIdempotencyStore). */
  readonly notifierIdempotency: BasePersistenceLayer;
}

/** Remembered this long: EventBridge redelivers within 24 hours. */
export const NOTIFIED_TTL_SECONDS = 7 * 24 * 3600;

export interface NotifierResult {
  readonly notified: string;
}

export const buildNotifierHandler = (deps: NotifierDeps) =>
  middy(async (event: unknown): Promise<NotifierResult> => {
    // validateDecisionEvent (below) replaced the raw input with the parsed event.
    const decision = (event as DecisionEvent).detail as Decision;
    deps.logger.appendKeys({ decisionId: decision.decisionId, action: decision.action });
    await notifyDecision(deps, decision);
    deps.logger.info('decision posted to Slack', { keyArn: decision.keyArn, reasons: decision.reasons });
    // The idempotency middleware stores this result; it must not be undefined.
    return { notified: decision.decisionId };
  })
    .use(injectLambdaContext(deps.logger, { clearState: true }))
    .use(validateDecisionEvent(deps.config.accountId))
    .use(
      makeHandlerIdempotent({
        persistenceStore: deps.notifierIdempotency,
        config: new IdempotencyConfig({
          eventKeyJmesPath: '[detail.decisionId, detail.outcome]',
          throwOnNoIdempotencyKey: true,
          expiresAfterSeconds: NOTIFIED_TTL_SECONDS,
        }),
      }),
    );

/**
 * The notifier's idempotency records on the single table: pk "NOTIFIED", sk "notifier#<hash of decision id
 * and outcome>", aged out by the table's TTL attribute.
 */
export const notifierIdempotencyStore = (client: DynamoDBClient, tableName: string): BasePersistenceLayer =>
  new DynamoDBPersistenceLayer({
    tableName,
    keyAttr: 'pk',
    sortKeyAttr: 'sk',
    staticPkValue: NOTIFIER_PARTITION,
    expiryAttr: TTL_ATTRIBUTE,
    awsSdkV3Client: client,
  });

/**
 * Validates before the idempotency middleware, so a malformed event never claims an idempotency record. A decision
 * from another account is a forgery (a member account may put events on the guard bus in org mode): it is never
 * posted, and throwing sends it to the failure queue, whose alarm makes it seen.
 */
const validateDecisionEvent = (guardAccountId: string): MiddlewareObj<unknown, NotifierResult> => ({
  before: (request) => {
    const input: unknown = request.event;
    const parsed = decisionEventSchema.safeParse(input);
    const id = typeof input === 'object' && input !== null && 'id' in input ? String(input.id) : 'without id';
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`).join('; ');
      throw new InvalidRecordError(`decision event ${id}`, undefined, fields);
    }
    if (parsed.data.account !== guardAccountId) {
      throw new InvalidRecordError(
        `decision event ${id}`,
        undefined,
        `account: ${parsed.data.account ?? '(none)'} is not the guard's account ${guardAccountId}; a decision from anywhere else is not posted`,
      );
    }
    request.event = parsed.data;
  },
});
