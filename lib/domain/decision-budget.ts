/**
 * A decision within its size budget, whatever its evidence. The rules cap their own lists (grants, callers);
 * this is the backstop for anything else that grew: the largest evidence entries are replaced by a note of
 * their size, so the decision is still stored (400 KB items) and published (256 KB events), never refused.
 */
import type { Decision } from './model.js';
import { DECISION_BUDGET_BYTES, jsonBytes } from './size-budget.js';

export const withinBudget = (decision: Decision, budget = DECISION_BUDGET_BYTES): Decision => {
  if (jsonBytes(decision) <= budget) return decision;
  const entries = Object.entries(decision.evidence).map(([name, value]) => ({ name, value, bytes: jsonBytes(value) }));
  // Smallest first: keep as many facts as fit, drop the bulky ones.
  entries.sort((a, b) => a.bytes - b.bytes || a.name.localeCompare(b.name));
  const base = jsonBytes({ ...decision, evidence: {} }) + 512;
  const kept: Record<string, unknown> = {};
  const dropped: Record<string, number> = {};
  let used = base;
  for (const entry of entries) {
    if (used + entry.bytes + entry.name.length + 4 <= budget) {
      kept[entry.name] = entry.value;
      used += entry.bytes + entry.name.length + 4;
    } else dropped[entry.name] = entry.bytes;
  }
  return { ...decision, evidence: { ...kept, evidenceTruncated: { budgetBytes: budget, droppedBytes: dropped } } };
};
