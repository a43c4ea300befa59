/**
 * Fail closed: when the guard cannot gather its evidence (AccessDenied after a hostile PutKeyPolicy, throttling,
 * a store error), it cannot tell a risky deletion from a safe one. Deletion cannot be undone; a cancellation
 * can. So it cancels, leaves the key Disabled, and says what it could not read.
 */
import type { DeletionVerdict } from './decide.js';
import type { EvidenceGap } from './evidence.js';

export const EVIDENCE_UNAVAILABLE = 'evidence-unavailable';
/** The decision could not be recorded: the guard cancelled without a claim, and the event is retried. */
export const DECISION_STORE_UNAVAILABLE = 'decision-store-unavailable';

export const failClosedVerdict = (gaps: readonly EvidenceGap[]): DeletionVerdict => ({
  action: 'cancel-deletion',
  reasons: [EVIDENCE_UNAVAILABLE],
  reEnable: false,
  facts: { [EVIDENCE_UNAVAILABLE]: { gaps: gaps.map((gap) => ({ source: gap.source, error: gap.error.slice(0, 500) })) } },
  priorState: { source: 'unknown' },
});
