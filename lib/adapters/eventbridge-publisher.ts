/**
 * Publishes decisions on the guard's EventBridge bus (source kms-guard, one detail-type per action; see
 * lib/domain/decision-events.ts). PutEvents takes 10 entries per call and may accept some and refuse
 * others (FailedEntryCount): the refused ones are retried with backoff, and what still fails is thrown
 * so the caller's Lambda is retried.
 */
import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { toDecisionEventEntry } from '../domain/decision-events.js';
import type { Decision } from '../domain/model.js';
import type { DecisionPublisher } from '../domain/ports.js';
import { KmsGuardError } from '../errors.js';

export const PUT_EVENTS_MAX_ENTRIES = 10;

export class DecisionPublishError extends KmsGuardError {
  constructor(readonly decisionIds: readonly string[], readonly errorCodes: readonly string[], options?: ErrorOptions) {
    super(`EventBridge refused ${decisionIds.length} decision event(s) (${[...new Set(errorCodes)].join(', ')}): ${decisionIds.join(', ')}`, options);
  }
}

export interface EventBridgePublisherOptions {
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class EventBridgeDecisionPublisher implements DecisionPublisher {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
    options: EventBridgePublisherOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async publish(decisions: readonly Decision[]): Promise<void> {
    const failures: { decisionId: string; code: string }[] = [];
    for (let start = 0; start < decisions.length; start += PUT_EVENTS_MAX_ENTRIES) {
      failures.push(...(await this.putBatch(decisions.slice(start, start + PUT_EVENTS_MAX_ENTRIES))));
    }
    if (failures.length > 0) {
      throw new DecisionPublishError(failures.map((failure) => failure.decisionId), failures.map((failure) => failure.code));
    }
  }

  /** Returns the decisions still refused after the last attempt. */
  private async putBatch(batch: readonly Decision[]): Promise<{ decisionId: string; code: string }[]> {
    let pending = batch.map((decision) => ({ decision, entry: this.entryFor(decision), code: '' }));
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      const response = await this.client.send(new PutEventsCommand({ Entries: pending.map((item) => item.entry) }));
      if ((response.FailedEntryCount ?? 0) === 0) return [];
      // Result entries are in request order; a failed one carries ErrorCode.
      pending = pending
        .map((item, index) => ({ ...item, code: response.Entries?.[index]?.ErrorCode ?? '' }))
        .filter((item, index) => response.Entries?.[index] === undefined || item.code !== '');
      if (attempt >= this.maxAttempts) break;
      await this.sleep(this.baseDelayMs * 2 ** (attempt - 1));
    }
    return pending.map((item) => ({ decisionId: item.decision.decisionId, code: item.code || 'Unknown' }));
  }

  private entryFor(decision: Decision): PutEventsRequestEntry {
    return { ...toDecisionEventEntry(decision), EventBusName: this.eventBusName };
  }
}
