/** Callers named in a decision's evidence: a few, and how many more there were (the decision has a size budget). */
import type { FailedUse } from './evidence.js';
import { capList } from '../size-budget.js';

export const MAX_EVIDENCE_CALLERS = 20;

export const evidenceCallers = (failure: Pick<FailedUse, 'callers' | 'callersOmitted'>): { callers: readonly string[]; callersOmitted?: number } => {
  const { kept, omitted } = capList(failure.callers, MAX_EVIDENCE_CALLERS);
  const total = omitted + (failure.callersOmitted ?? 0);
  return { callers: kept, ...(total === 0 ? {} : { callersOmitted: total }) };
};
