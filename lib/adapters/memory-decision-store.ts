/**
 * DecisionStore in the process: a claim succeeds when no decision with that id exists or the existing one
 * failed (as the DynamoDB store's conditional PutItem); it is atomic, so of N concurrent claims one wins.
 */
import type { ActionOutcome, Decision } from '../domain/model.js';
import type { DecisionStore } from '../domain/ports.js';
import { decisionItem, decisionKey, readDecision } from './dynamodb-items.js';
import { GSI1_DECISION } from './dynamodb-table.js';
import { withoutUndefined } from './memory-grant-store.js';
import { ConditionFailedError, type MemoryTable } from './memory-table.js';

export class MemoryDecisionStore implements DecisionStore {
  constructor(private readonly table: MemoryTable) {}

  async claim(decision: Decision): Promise<boolean> {
    const stored = this.table.get(decisionKey(decision.decisionId));
    if (stored !== undefined && stored.status !== 'failed') return false;
    this.table.put({ ...withoutUndefined(decisionItem(decision, 'claimed')), ...decisionKey(decision.decisionId) });
    return true;
  }

  async complete(decisionId: string, outcome: readonly ActionOutcome[]): Promise<void> {
    const key = decisionKey(decisionId);
    const stored = this.table.get(key);
    const decision = readDecision(stored);
    if (stored === undefined || decision === undefined) throw new ConditionFailedError(key);
    this.table.put({
      ...stored,
      status: outcome.some((call) => call.result === 'failed') ? 'failed' : 'done',
      data: withoutUndefined({ ...decision, outcome }),
    });
  }

  async get(decisionId: string): Promise<Decision | undefined> {
    return readDecision(this.table.get(decisionKey(decisionId)));
  }

  /** Every decision, oldest first (gsi1 sorts them by decidedAt). */
  async list(): Promise<Decision[]> {
    return this.table.queryIndex(GSI1_DECISION).flatMap((item) => readDecision(item) ?? []);
  }
}
