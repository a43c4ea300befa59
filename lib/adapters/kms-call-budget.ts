/**
 * A budget on the guard's own KMS evidence calls (DescribeKey, ListGrants…) per invocation. A flood of failed
 * calls must not spend the account's shared KMS quotas (ListGrants is 100 requests/s by default) on evidence:
 * past the budget the read is refused, the evidence has a gap, and the deletion guard fails closed (cancel, leave
 * the key Disabled, alert "evidence-unavailable"). The repairs (CancelKeyDeletion, EnableKey, RevokeGrant) are
 * never budgeted: the reversible step must always be possible.
 */
import { KmsGuardError } from '../errors.js';
import type { RateLimiter } from './rate-limiter.js';

/** The read-only KMS operations the adapters make to gather evidence. */
export const EVIDENCE_OPERATIONS: ReadonlySet<string> = new Set([
  'DescribeKey',
  'ListResourceTags',
  'ListAliases',
  'GetKeyLastUsage',
  'ListGrants',
  'ListKeys',
]);

/**
 * Evidence calls one deletion-guard invocation may make. One key's evidence is 5 calls (DescribeKey,
 * ListResourceTags, ListAliases, GetKeyLastUsage, ListGrants) plus one per extra page: 100 is about 20 keys a batch.
 */
export const DEFAULT_EVIDENCE_CALLS_PER_INVOCATION = 100;

export class KmsCallBudgetExhaustedError extends KmsGuardError {
  constructor(readonly operation: string, readonly limit: number) {
    super(`KMS call budget exhausted: ${operation} refused after ${limit} evidence calls in this invocation`);
  }
}

export class KmsCallBudget {
  private spent = 0;
  private refused = 0;

  constructor(readonly limit: number = DEFAULT_EVIDENCE_CALLS_PER_INVOCATION) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`the KMS call budget must be a positive whole number, got ${limit}`);
  }

  /** Called at the start of every invocation. */
  reset(): void {
    this.spent = 0;
    this.refused = 0;
  }

  /** @throws KmsCallBudgetExhaustedError when an evidence call would exceed the budget. */
  spend(operation: string): void {
    if (!EVIDENCE_OPERATIONS.has(operation)) return;
    if (this.spent >= this.limit) {
      this.refused += 1;
      throw new KmsCallBudgetExhaustedError(operation, this.limit);
    }
    this.spent += 1;
  }

  get used(): { readonly spent: number; readonly refused: number; readonly limit: number } {
    return { spent: this.spent, refused: this.refused, limit: this.limit };
  }
}

/** Spends from the budget before the pacing limiter lets a request go. */
export class BudgetedLimiter implements RateLimiter {
  constructor(
    private readonly inner: RateLimiter,
    private readonly budget: KmsCallBudget,
  ) {}

  acquire(operation: string): Promise<void> {
    try {
      this.budget.spend(operation);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return this.inner.acquire(operation);
  }
}
