/**
 * How long a claimed decision is held by whoever claimed it. Longer than any function that claims runs (the
 * sweeps' 600 s timeout), so a live claimer is never overtaken; short enough that a crash between claim and
 * act is repaired by the next redelivery or sweep rather than never.
 */
import type { Decision } from './model.js';

export const CLAIM_LEASE_MS = 11 * 60_000;

/** ISO time until which a claim made for `decision` is held. */
export const claimLeaseUntil = (decision: Pick<Decision, 'decidedAt'>): string =>
  new Date(Date.parse(decision.decidedAt) + CLAIM_LEASE_MS).toISOString();
