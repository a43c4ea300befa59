import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackWebhook } from '../../lib/adapters/slack-webhook.js';
import { DECISION_EVENT_SOURCE, detailTypeFor } from '../../lib/domain/decision-events.js';
import type { Decision } from '../../lib/domain/model.js';
import { buildNotifierHandler, notifierIdempotencyStore } from '../../lib/handlers/notifier.js';
import { DYNAMODB_ACTIONS, NOTIFIER_PARTITION } from '../../lib/adapters/dynamodb-actions.js';
import { recordingDynamoClient } from '../support/dynamodb-actions.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';
import { SlackServer } from '../support/slack-server.js';

const context = {
  functionName: 'kms-guard-notifier',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

const decision = (decisionId: string, overrides: Partial<Decision> = {}): Decision => ({
  decisionId,
  action: 'alert',
  keyArn: 'arn:aws:kms:us-east-1:715248393954:key/55487ec5-4c6b-4c87-80e5-3cfa8bcfc271',
  reasons: ['disabled-in-use'],
  evidence: { lastUsedAt: '2026-05-12T09:00:00.000Z', topCallers: [{ id: '<!channel>', count: 2 }], userAgent: '<https://evil.example|x>' },
  eventId: '2f71316e-829b-4816-9202-797c00ffdf53',
  decidedAt: '2026-05-18T06:00:00.000Z',
  actor: 'arn:aws:iam::715248393954:role/voclabs',
  accountId: '715248393954',
  region: 'us-east-1',
  dryRun: false,
  outcome: [],
  ...overrides,
});
const GUARD_ACCOUNT = '111122223333';
const eventFor = (detail: Decision) => ({
  version: '0',
  id: `evt-${detail.decisionId}`,
  'detail-type': detailTypeFor(detail.action),
  source: DECISION_EVENT_SOURCE,
  account: GUARD_ACCOUNT,
  time: detail.decidedAt,
  region: detail.region,
  resources: [detail.keyArn],
  detail,
});

let slack: SlackServer;
/** Records what the idempotency records need: the notifier's IAM policy grants exactly that. */
const recorder = recordingDynamoClient();
let handler: ReturnType<typeof buildNotifierHandler>;

beforeAll(async () => {
  slack = await SlackServer.start();
  const table = await createTestTable(dynamoTestClient());
  handler = buildNotifierHandler({
    config: { accountId: GUARD_ACCOUNT },
    logger: new Logger({ serviceName: 'notifier-test', logLevel: 'SILENT' }),
    slack: new SlackWebhook(slack.url, { baseDelayMs: 5, maxAttempts: 2 }),
    notifierIdempotency: notifierIdempotencyStore(recorder.base, table),
  });
});
afterAll(async () => {
  await slack.close();
});

describe('the notifier', () => {
  it('posts an escaped Block Kit message for a decision event', async () => {
    const before = slack.delivered.length;
    await handler(eventFor(decision('notify-1')), context);
    expect(slack.delivered.length - before).toBe(1);
    const posted = slack.requests.at(-1)?.raw ?? '';
    expect(posted).toContain('disabled-in-use');
    expect(posted).not.toContain('<!channel>');
    expect(posted).not.toContain('<https://evil');
  });

  it('posts one message for the same decision event delivered twice (idempotency on DynamoDB Local)', async () => {
    const before = slack.delivered.length;
    const event = eventFor(decision('notify-dup'));
    await handler(event, context);
    await handler(structuredClone(event), context);
    expect(slack.delivered.length - before).toBe(1);
  });

  it('posts again when a retried decision comes back with a different outcome', async () => {
    const before = slack.delivered.length;
    await handler(eventFor(decision('notify-retry', { action: 'cancel-deletion', outcome: [{ call: 'CancelKeyDeletion', result: 'failed' }] })), context);
    await handler(eventFor(decision('notify-retry', { action: 'cancel-deletion', outcome: [{ call: 'CancelKeyDeletion', result: 'ok' }] })), context);
    expect(slack.delivered.length - before).toBe(2);
  });

  it('throws when Slack cannot take the message, and posts it on the retry (nothing is marked done)', async () => {
    slack.failNext(2, { status: 500 });
    const event = eventFor(decision('notify-fail'));
    await expect(handler(event, context)).rejects.toThrow(/500/);
    const before = slack.delivered.length;
    await handler(event, context);
    expect(slack.delivered.length - before).toBe(1);
  });

  it('never posts a decision another account put on the bus, and fails it naming the account', async () => {
    const before = slack.delivered.length;
    const forged = { ...eventFor(decision('forged-1', { action: 'allow-deletion', reasons: ['exempt-principal'] })), account: '444455556666' };

    await expect(handler(forged, context)).rejects.toThrow(
      "decision event evt-forged-1: account: 444455556666 is not the guard's account 111122223333; a decision from anywhere else is not posted",
    );
    expect(slack.delivered.length - before).toBe(0);
  });

  it('rejects an event that is not a decision, naming the field', async () => {
    const bad = eventFor(decision('notify-bad'));
    const { decidedAt: _dropped, ...detail } = bad.detail;
    await expect(handler({ ...bad, detail }, context)).rejects.toThrow(/decision event evt-notify-bad: detail.decidedAt/);
  });
});

describe('the notifier\'s table access', () => {
  it('needs only the idempotency actions it is granted, on its own partition only', () => {
    expect(recorder.actions.size).toBeGreaterThan(0);
    expect([...recorder.actions].filter((action) => !(DYNAMODB_ACTIONS.notifierIdempotency as readonly string[]).includes(action))).toEqual([]);
    expect([...recorder.partitions]).toEqual([NOTIFIER_PARTITION]);
  });
});
