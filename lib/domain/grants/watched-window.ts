/**
 * "No use in the last N days" is evidence only where the guard was watching the whole N days and usage events are
 * still arriving. Right after deployment (or a trail that stopped reaching the guard) every grant would look
 * stale; such a grant is kept until the coverage of its key's account and Region says otherwise.
 */
import type { Coverage } from '../ports.js';

/** The guard's own hourly DescribeKey calls are usage events: a day without any means events are not arriving. */
export const USAGE_HEARTBEAT_MAX_AGE_MS = 24 * 3_600_000;

export type WatchVerdict = { readonly watched: true } | { readonly watched: false; readonly why: string };

export const watchedThroughout = (coverage: Coverage | undefined, since: string, now: Date, where: string): WatchVerdict => {
  if (coverage?.watchedSince === undefined) return { watched: false, why: `kms-guard has no record of watching usage in ${where}` };
  if (coverage.watchedSince > since) {
    return { watched: false, why: `kms-guard has recorded usage in ${where} only since ${coverage.watchedSince}, after the window began (${since})` };
  }
  const heartbeat = coverage.lastUsageEventAt;
  if (heartbeat === undefined || now.getTime() - Date.parse(heartbeat) > USAGE_HEARTBEAT_MAX_AGE_MS) {
    return { watched: false, why: `no usage event from ${where} has arrived since ${heartbeat ?? 'ever'}: absence of use proves nothing` };
  }
  return { watched: true };
};
