/** What replay prints: decision and key lines (JSON Lines with --json, else a readable text form). */
import type { Decision } from '../domain/model.js';
import type { UsageStore } from '../domain/ports.js';
import { activeAliases, currentState } from '../domain/key-state.js';

export const decisionLine = (decision: Decision): Record<string, unknown> => ({
  kind: 'decision',
  action: decision.action,
  keyArn: decision.keyArn,
  ...(decision.grantId === undefined ? {} : { grantId: decision.grantId }),
  reasons: decision.reasons,
  eventId: decision.eventId,
  ...(decision.action === 'cancel-deletion' ? { reEnable: decision.reEnable ?? false } : {}),
  dryRun: decision.dryRun,
  decisionId: decision.decisionId,
  decidedAt: decision.decidedAt,
  ...(decision.actor === undefined ? {} : { actor: decision.actor }),
  ...(decision.deletionDate === undefined ? {} : { deletionDate: decision.deletionDate }),
  evidence: decision.evidence,
});

/** One line per key the store knows, sorted by ARN; callers sorted so that equal state prints identically. */
export const keyLines = async (usage: UsageStore): Promise<Record<string, unknown>[]> => {
  const lines: Record<string, unknown>[] = [];
  for (const keyArn of await usage.listKeyArns()) {
    const [record, summary] = await Promise.all([usage.getKey(keyArn), usage.getUsage(keyArn)]);
    lines.push({
      kind: 'key',
      keyArn,
      state: record === undefined ? 'Unknown' : currentState(record),
      ...(record === undefined ? {} : { aliases: activeAliases(record) }),
      lastUsedAt: summary.lastUsedAt ?? null,
      useCount: summary.useCount,
      lastUsedByOperation: sortedObject(summary.lastUsedByOperation),
      callers: [...summary.callers]
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((caller) => ({
          caller: caller.id,
          principal: caller.principal,
          ...(caller.service === undefined ? {} : { service: caller.service }),
          count: caller.count,
          lastAt: caller.lastAt,
          operations: [...caller.operations].sort(),
        })),
      failures: summary.failures.map((failure) => ({
        operation: failure.operation,
        errorCode: failure.errorCode,
        count: failure.count,
        lastAt: failure.lastAt,
      })),
      ...(record?.pendingDeletion === undefined ? {} : { pendingDeletion: record.pendingDeletion }),
    });
  }
  return lines;
};

const sortedObject = <T>(object: Readonly<Record<string, T>>): Record<string, T> =>
  Object.fromEntries(Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

export const decisionText = (decision: Decision): string => {
  const subject = decision.grantId === undefined ? decision.keyArn : `${decision.keyArn} grant ${decision.grantId}`;
  const reEnable = decision.action === 'cancel-deletion' ? (decision.reEnable === true ? ' (then EnableKey)' : ' (key stays Disabled)') : '';
  return `${decision.decidedAt}  ${decision.action.toUpperCase()}${reEnable}  ${subject}\n    reasons: ${decision.reasons.join(', ')}`;
};

export const keyText = (line: Record<string, unknown>): string => {
  const callers = Array.isArray(line.callers) ? line.callers.length : 0;
  return `${String(line.keyArn)}  ${String(line.state)}  uses=${String(line.useCount)}  last=${String(line.lastUsedAt ?? '-')}  callers=${callers}`;
};
