/** The small, JSON-clean record of the facts behind a deletion verdict, stored and published with the decision. */
import type { DeletionEvidence } from './evidence.js';
import type { DeletionVerdict } from './decide.js';
import { disabledSince } from './prior-state.js';

/** A key may have many aliases; the decision names a few (Slack shows five). */
export const MAX_ALIASES = 5;

export const decisionEvidence = (evidence: DeletionEvidence, verdict: DeletionVerdict): Record<string, unknown> => {
  const since = disabledSince(evidence);
  const { scheduling, lastUse } = evidence;
  const aliases = (evidence.aliases ?? []).slice(0, MAX_ALIASES);
  return {
    trigger: evidence.trigger.kind,
    ...(aliases.length === 0 ? {} : { aliases }),
    ...(scheduling?.scheduledAt === undefined ? {} : { scheduledAt: scheduling.scheduledAt }),
    ...(scheduling?.by === undefined ? {} : { scheduledBy: scheduling.by }),
    ...(scheduling?.deletionDate === undefined ? {} : { deletionDate: scheduling.deletionDate }),
    ...(evidence.currentState === undefined ? {} : { currentState: evidence.currentState }),
    priorState: { state: verdict.priorState.state ?? null, source: verdict.priorState.source, ...(verdict.priorState.at === undefined ? {} : { at: verdict.priorState.at }) },
    ...(since === undefined ? {} : { disabledSince: since }),
    ...(lastUse === undefined ? {} : { lastUse }),
    ...(evidence.watchedSince === undefined ? {} : { watchedSince: evidence.watchedSince }),
    topCallers: evidence.topCallers,
    sources: evidence.sources,
    reasons: verdict.facts,
  };
};
