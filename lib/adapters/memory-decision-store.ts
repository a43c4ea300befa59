/**
 * DecisionStore in the process: a claim succeeds when no decision with that id exists, the existing one failed, or
 * its claimer's lease ran out before it completed (as the DynamoDB store's conditional PutItem); it is atomic, so of
 * N concurrent claims one wins.
 */
import { claimLeaseUntil } from '../domain/decision-claim.js';
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
    const leaseRanOut = stored?.status === 'claimed' && (typeof stored.leaseUntil !== 'string' || stored.leaseUntil < decision.decidedAt);
    if (stored !== undefined && stored.status !== 'failed' && !leaseRanOut) return false;
    this.table.put({ ...withoutUndefined(decisionItem(decision, 'claimed')), leaseUntil: claimLeaseUntil(decision), ...decisionKey(decision.decisionId) });
    return true;
  }

  async complete(decisionId: string, outcome: readonly ActionOutcome[]): Promise<void> {
    const key = decisionKey(decisionId);
    const stored = this.table.get(key);
    const decision = readDecision(stored);
    if (stored === undefined || decision === undefined) throw new ConditionFailedError(key);
    const { leaseUntil: _released, ...rest } = stored;
    this.table.put({
      ...rest,
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
