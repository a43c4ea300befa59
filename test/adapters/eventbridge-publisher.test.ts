import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DecisionPublishError, EventBridgeDecisionPublisher } from '../../lib/adapters/eventbridge-publisher.js';
import { decisionEventSchema } from '../../lib/domain/decision-events.js';
import type { Action, Decision } from '../../lib/domain/model.js';

const eventBridge = mockClient(EventBridgeClient);
afterEach(() => eventBridge.reset());

const decision = (index: number, action: Action = 'alert'): Decision => ({
  decisionId: `d-${index}`,
  action,
  keyArn: `arn:aws:kms:us-east-1:111122223333:key/k-${index}`,
  reasons: ['policy-lockout'],
  evidence: { statements: 1 },
  eventId: `e-${index}`,
  decidedAt: '2024-05-01T10:00:00.000Z',
  accountId: '111122223333',
  region: 'us-east-1',
  dryRun: false,
  outcome: [],
});
const publisher = () => new EventBridgeDecisionPublisher(new EventBridgeClient({ region: 'us-east-1' }), 'kms-guard-bus', { baseDelayMs: 1 });
const entriesOf = (call: number) => eventBridge.commandCalls(PutEventsCommand)[call]?.args[0].input.Entries ?? [];

describe('publishing decisions on EventBridge', () => {
  it('sends at most 10 entries per PutEvents call', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, index) => ({ EventId: `id-${index}` })) }));
    await publisher().publish(Array.from({ length: 23 }, (_, index) => decision(index)));
    expect(eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
  });

  it('writes source kms-guard, the detail-type of the action, the Decision as detail, Time = decidedAt, Resources = [keyArn]', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }, { EventId: '2' }] });
    await publisher().publish([decision(1, 'cancel-deletion'), decision(2, 'revoke-grant')]);
    const [first, second] = entriesOf(0);
    expect(first).toMatchObject({ Source: 'kms-guard', DetailType: 'KMS Guard Deletion Cancelled', EventBusName: 'kms-guard-bus', Resources: ['arn:aws:kms:us-east-1:111122223333:key/k-1'] });
    expect(first?.Time?.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(JSON.parse(first?.Detail ?? '{}')).toEqual(decision(1, 'cancel-deletion'));
    expect(second?.DetailType).toBe('KMS Guard Grant Revoked');
  });

  it('produces events the notifier schema accepts', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    await publisher().publish([decision(1)]);
    const [entry] = entriesOf(0);
    const parsed = decisionEventSchema.safeParse({ source: entry?.Source, 'detail-type': entry?.DetailType, detail: JSON.parse(entry?.Detail ?? '{}') });
    expect(parsed.success).toBe(true);
  });

  it('retries only the entries EventBridge refused', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: '1' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }, { EventId: '3' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: '2' }] });
    await publisher().publish([decision(1), decision(2), decision(3)]);
    expect(entriesOf(1).map((entry) => JSON.parse(entry.Detail ?? '{}').decisionId)).toEqual(['d-2']);
  });

  it('throws, naming the decisions, when entries still fail after the last attempt', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }] });
    const failure = await publisher().publish([decision(7)]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DecisionPublishError);
    expect((failure as DecisionPublishError).decisionIds).toEqual(['d-7']);
    expect(String((failure as Error).message)).toContain('InternalFailure');
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(4);
  });
});
