/**
 * The repair of a cancel-deletion decision. CancelKeyDeletion leaves a key Disabled; EnableKey follows only this
 * decision's own successful cancel (an `already-done` means a person cancelled first, and left the key as they
 * chose), and only once the store's history up to the scheduling is complete and still says Enabled: a DisableKey
 * made just before the scheduling reaches the store through the usage buffer, after the guard has decided.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeletionEvidence } from '../domain/deletion/evidence.js';
import { priorState, transitionsAfterScheduling } from '../domain/deletion/prior-state.js';
import type { ActionOutcome, KeyRecord } from '../domain/model.js';
import type { KeyDirectory, UsageStore } from '../domain/ports.js';
import type { Act } from './enact-decision.js';

/** How long the repair waits for the usage pipeline to record the scheduling before it gives up on EnableKey. */
export interface HistorySettle {
  readonly timeoutMs: number;
  readonly intervalMs: number;
}

/** Within the deletion guard's 60 s: the usage buffer batches for up to 30 s. */
export const DEFAULT_HISTORY_SETTLE: HistorySettle = { timeoutMs: 25_000, intervalMs: 2_500 };

export interface RepairDeps {
  readonly usage: Pick<UsageStore, 'getKey'>;
  readonly historySettle?: HistorySettle;
}

export interface RepairPlan {
  readonly directory?: KeyDirectory;
  readonly keyArn: string;
  readonly reEnable: boolean;
  /** The evidence the verdict was reached on; its history is read again before EnableKey. */
  readonly evidence: DeletionEvidence;
}

const skipped = (detail: string): ActionOutcome => ({ call: 'EnableKey', result: 'skipped', detail });

export const repairKey = (deps: RepairDeps, plan: RepairPlan): Act => async () => {
  const { directory, keyArn } = plan;
  if (directory === undefined) return [{ call: 'CancelKeyDeletion', result: 'failed', detail: 'no KMS access configured for this key' }];
  const cancel = await attempt('CancelKeyDeletion', () => directory.cancelKeyDeletion(keyArn));
  if (!plan.reEnable) return [cancel];
  if (cancel.result === 'failed') return [cancel, skipped('CancelKeyDeletion failed')];
  if (cancel.result !== 'ok') return [cancel, skipped('the deletion had already been cancelled by someone else: the key is left as they left it')];
  const objection = await enableObjection(deps, plan).catch(
    (error: unknown) => `the history could not be read again (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}): left Disabled`,
  );
  if (objection !== undefined) return [cancel, skipped(objection)];
  const enable = await attempt('EnableKey', () => directory.enableKey(keyArn));
  // Imported key material that expired (or was deleted): KMS keeps the key PendingImport until it is imported again.
  if (enable.result === 'failed' && /pending import/i.test(enable.detail ?? '')) {
    return [cancel, skipped(`the key is PendingImport: import its key material again to enable it (${enable.detail ?? ''})`)];
  }
  return [cancel, enable];
};

/** Why EnableKey must not run, or undefined when the complete history still says the key was Enabled. */
const enableObjection = async (deps: RepairDeps, plan: RepairPlan): Promise<string | undefined> => {
  const schedulingId = plan.evidence.scheduling?.eventId;
  if (schedulingId === undefined) return 'the scheduling is not in the store: the state before it cannot be confirmed';
  const key = await settledKey(deps, plan.keyArn, schedulingId);
  if (key === undefined) {
    return 'the store has not recorded the scheduling yet (the usage pipeline lags), so a DisableKey made just before it may be missing: left Disabled';
  }
  const settled = { ...plan.evidence, history: key.history };
  const prior = priorState(settled);
  if (prior.state !== 'Enabled') return `the complete history says the key was ${prior.state ?? 'in an unknown state'} before the scheduling`;
  // A cancel is this repair's own (or made it already-done); anything else is someone acting on the key.
  const since = transitionsAfterScheduling(settled).filter((transition) => transition.eventName !== 'CancelKeyDeletion');
  if (since.length > 0) return `the key was changed since it was scheduled (${since.map((transition) => transition.eventName).join(', ')}): left as it is`;
  return undefined;
};

/** The key record once it holds the scheduling's transition, polling until the settle timeout. */
const settledKey = async (deps: RepairDeps, keyArn: string, schedulingId: string): Promise<KeyRecord | undefined> => {
  const { timeoutMs, intervalMs } = deps.historySettle ?? DEFAULT_HISTORY_SETTLE;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const key = await deps.usage.getKey(keyArn);
    if (key?.history.some((transition) => transition.eventId === schedulingId) === true) return key;
    if (Date.now() + intervalMs > deadline) return undefined;
    await sleep(intervalMs);
  }
};

/** Keeps the outcome of earlier calls when a later one throws instead of reporting `failed`. */
const attempt = async (call: string, invoke: () => Promise<ActionOutcome>): Promise<ActionOutcome> => {
  try {
    return await invoke();
  } catch (error) {
    return { call, result: 'failed', detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
};
