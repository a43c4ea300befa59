/** What replay prints: decision and key lines (JSON Lines with --json, else a readable text form). */
import type { Decision, PendingDeletion } from '../domain/model.js';
import type { UsageStore } from '../domain/ports.js';
import { activeAliases, currentState } from '../domain/key-state.js';
import { printable } from '../ingest/printable.js';

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
      ...(record?.pendingDeletion === undefined ? {} : { pendingDeletion: pendingDeletionLine(record.pendingDeletion) }),
    });
  }
  return lines;
};

/** Fields in a fixed order: a store may hand a map's attributes back in any order (DynamoDB does). */
const pendingDeletionLine = (pending: PendingDeletion): Record<string, unknown> => ({
  scheduledAt: pending.scheduledAt,
  ...(pending.deletionDate === undefined ? {} : { deletionDate: pending.deletionDate }),
  ...(pending.pendingWindowInDays === undefined ? {} : { pendingWindowInDays: pending.pendingWindowInDays }),
  eventId: pending.eventId,
  by: pending.by,
});

const sortedObject = <T>(object: Readonly<Record<string, T>>): Record<string, T> =>
  Object.fromEntries(Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** One key in the text report: alias, state, how much and how lately it was used, and by how many callers. */
export const keyText = (line: Record<string, unknown>): string => {
  const aliases = Array.isArray(line.aliases) ? line.aliases.filter((alias): alias is string => typeof alias === 'string') : [];
  const callers = Array.isArray(line.callers) ? line.callers.length : 0;
  const failures = Array.isArray(line.failures) ? line.failures.reduce((sum: number, failure: unknown) => sum + Number((failure as { count?: unknown }).count ?? 0), 0) : 0;
  const uses = Number(line.useCount ?? 0);
  const last = typeof line.lastUsedAt === 'string' ? `, last ${line.lastUsedAt.slice(0, 10)} ${line.lastUsedAt.slice(11, 16)} UTC` : '';
  const subject = aliases.length === 0 ? String(line.keyArn) : `${aliases.join(', ')}  ${String(line.keyArn)}`;
  const failed = failures === 0 ? '' : `, ${failures} failed call${failures === 1 ? '' : 's'}`;
  return `${printable(subject)}\n    ${printable(String(line.state))}; ${uses} use${uses === 1 ? '' : 's'}${last}; ${callers} caller${callers === 1 ? '' : 's'}${failed}`;
};
