/**
 * The hourly sweep: every key pending deletion is judged again with the newest evidence, including keys scheduled
 * before the guard ran or whose event EventBridge never delivered (found through KMS itself), and people are
 * reminded as the deletion date nears. It repeats nothing the guard already did in the same mode: a dry-run
 * decision does not count once enforcement is on, and a decision claimed but never completed (a crash) does not
 * count at all.
 */
import { decideDeletion, type DeletionVerdict } from '../domain/deletion/decide.js';
import { pendingUseDecisionId, reminderDecisionId, scheduleDecisionId, sweepDecisionId } from '../domain/deletion/decision-ids.js';
import type { DeletionEvidence, EvidenceGap } from '../domain/deletion/evidence.js';
import { failClosedVerdict } from '../domain/deletion/fail-closed.js';
import { daysBetween } from '../domain/deletion/timeline.js';
import type { Decision, KeyRecord } from '../domain/model.js';
import type { KeyDirectory, KmsKeyFacts } from '../domain/ports.js';
import { KeyNotFoundError, KmsGuardError } from '../errors.js';
import { enactDecision } from './enact-decision.js';
import { gatherDeletionEvidence } from './gather-deletion-evidence.js';
import { enactDeletionVerdict, type DeletionDeps } from './guard-deletion.js';

export interface SweepDeps extends DeletionDeps {
  /** Production: one directory per watched account and Region (ListKeys + DescribeKey). Absent in replay. */
  readonly keyDirectories?: () => readonly KeyDirectory[];
  /**
   * Which of the store's pending keys this run sweeps: all (default), those the filter keeps (a work item's account
   * and Region), or none (`false`: a later part of a work item, whose first part swept them).
   */
  readonly storePending?: false | ((key: KeyRecord) => boolean);
}

/** Some keys (or account listings) could not be swept; the others were. Thrown so the scheduled run shows as failed. */
export class SweepFailedError extends KmsGuardError {
  constructor(readonly subjects: readonly string[], options?: ErrorOptions) {
    super(`deletion sweep failed for ${subjects.length} subject(s): ${subjects.join(', ')}`, options);
  }
}

interface PendingKey {
  readonly keyArn: string;
  readonly key?: KeyRecord;
  readonly directory?: KeyDirectory;
  readonly facts?: KmsKeyFacts;
  /** The store holds the key as pending but KMS would not describe it: judged on what can be read (fail closed). */
  readonly unreadable?: boolean;
}

interface Failure {
  readonly subject: string;
  readonly error: unknown;
}

const PENDING_STATES: ReadonlySet<string> = new Set(['PendingDeletion', 'PendingReplicaDeletion']);

export const sweepPendingDeletions = async (deps: SweepDeps): Promise<Decision[]> => {
  const now = deps.clock.now();
  const failures: Failure[] = [];
  const pending = await findPendingKeys(deps, failures);
  const decisions: Decision[] = [];
  for (const candidate of pending) {
    try {
      decisions.push(...(await sweepKey(deps, candidate, now)));
    } catch (error) {
      failures.push({ subject: candidate.keyArn, error });
    }
  }
  if (failures.length > 0) {
    const errors = failures.map((failure) => failure.error);
    throw new SweepFailedError(
      failures.map((failure) => failure.subject),
      { cause: errors.length === 1 ? errors[0] : new AggregateError(errors, 'several keys failed') },
    );
  }
  return decisions;
};

/**
 * The store's pending keys, checked against KMS when it is reachable, plus the keys only KMS knows are pending.
 * One key KMS will not describe (a key policy that denies the guard) neither hides the others nor, when the store
 * holds it as pending, escapes the sweep.
 */
const findPendingKeys = async (deps: SweepDeps, failures: Failure[]): Promise<PendingKey[]> => {
  const found = new Map<string, PendingKey>();
  const keep = deps.storePending ?? ((): boolean => true);
  try {
    const stored = keep === false ? [] : await deps.usage.listKeysPendingDeletion();
    for (const key of stored) if (keep !== false && keep(key)) found.set(key.keyArn, { keyArn: key.keyArn, key });
  } catch (error) {
    failures.push({ subject: 'the store\'s keys pending deletion', error });
  }
  const unreadable = (keyArn: string, directory: KeyDirectory, error: unknown): void => {
    const known = found.get(keyArn);
    if (known === undefined) failures.push({ subject: keyArn, error });
    else found.set(keyArn, { ...known, directory, unreadable: true });
  };
  for (const [index, directory] of (deps.keyDirectories?.() ?? []).entries()) {
    let keyArns: string[];
    try {
      keyArns = await directory.listKeyArns();
    } catch (error) {
      failures.push({ subject: `key directory ${index}`, error });
      continue;
    }
    for (const keyArn of keyArns) {
      try {
        const facts = await describePending(directory, keyArn);
        if (facts === undefined) found.delete(keyArn);
        else found.set(keyArn, { ...found.get(keyArn), keyArn, directory, facts });
      } catch (error) {
        unreadable(keyArn, directory, error);
      }
    }
  }
  const checked: PendingKey[] = [];
  for (const candidate of found.values()) {
    const directory = candidate.directory ?? deps.keyDirectoryFor?.(candidate.keyArn);
    if (candidate.facts !== undefined || candidate.unreadable === true || directory === undefined) {
      checked.push(candidate);
      continue;
    }
    try {
      const facts = await describePending(directory, candidate.keyArn);
      if (facts !== undefined) checked.push({ ...candidate, directory, facts });
    } catch {
      checked.push({ ...candidate, directory, unreadable: true });
    }
  }
  return checked;
};

/**
 * KMS's facts when the key is pending deletion; undefined when it is not, or no longer exists. The state is
 * read first (one call), so keys that are not pending cost one DescribeKey an hour, not four calls.
 */
const describePending = async (directory: KeyDirectory, keyArn: string): Promise<KmsKeyFacts | undefined> => {
  try {
    if (!PENDING_STATES.has(await directory.keyState(keyArn))) return undefined;
    const facts = await directory.describe(keyArn);
    return PENDING_STATES.has(facts.keyState) ? facts : undefined;
  } catch (error) {
    if (error instanceof KeyNotFoundError) return undefined;
    throw error;
  }
};

const sweepKey = async (deps: SweepDeps, candidate: PendingKey, now: Date): Promise<Decision[]> => {
  const { keyArn, directory, facts } = candidate;
  const [, , , region = '', accountId = ''] = keyArn.split(':');
  const sweepId = `sweep:${keyArn}:${now.toISOString().slice(0, 13)}`;
  const { evidence, gaps } = await gatherDeletionEvidence(deps, {
    keyArn,
    accountId: candidate.key?.accountId ?? accountId,
    region: candidate.key?.region ?? region,
    trigger: { kind: 'sweep', eventId: sweepId, at: now.toISOString() },
    // Only a key KMS says is pending is judged on KMS's evidence; without facts the store is all there is. A key KMS
    // would not describe is read again, so the failure is named in the evidence.
    ...(directory === undefined || (facts === undefined && candidate.unreadable !== true) ? {} : { directory }),
    known: { ...(facts === undefined ? {} : { facts }), ...(candidate.key === undefined ? {} : { key: candidate.key }) },
  });
  const scheduling = evidence.scheduling;
  // Past its deletion date the key is gone (replay has no KMS to say so): nothing is left to decide.
  if (scheduling?.deletionDate !== undefined && daysBetween(now.toISOString(), scheduling.deletionDate) <= 0) return [];
  if (gaps.length > 0 && (await judgedBefore(deps, evidence))) throw new EvidenceIncompleteError(keyArn, gaps);
  // The guard never judged this scheduling and cannot now: fail closed.
  const verdict = gaps.length > 0 ? failClosedVerdict(gaps) : decideDeletion(evidence, deps.policy, now);
  const decisionId = sweepDecisionId(keyArn, scheduling, verdict.action, deps.mode === 'dry-run');
  const decided = (await unchangedSinceScheduling(deps, evidence, verdict))
    ? []
    : await enactDeletionVerdict(deps, { decisionId, eventId: sweepId, evidence, verdict, now, ...(directory === undefined ? {} : { directory }) });
  // A key the guard has just cancelled will not be deleted: no reminder for it.
  const staysPending = verdict.action !== 'cancel-deletion' || deps.mode === 'dry-run';
  return staysPending ? [...decided, ...(await remind(deps, evidence, verdict, sweepId, now))] : decided;
};

/** The sweep could not read all its evidence for a key the guard has already judged: the earlier decision stands. */
export class EvidenceIncompleteError extends KmsGuardError {
  constructor(readonly keyArn: string, readonly gaps: readonly EvidenceGap[]) {
    super(`evidence for ${keyArn} incomplete: ${gaps.map((gap) => `${gap.source} (${gap.error})`).join('; ')}`);
  }
}

/** The decisions the guard made on this scheduling in the current mode, at the scheduling or at a failure it caused. */
const earlierDecisions = async (deps: SweepDeps, evidence: DeletionEvidence): Promise<Decision[]> => {
  const scheduling = evidence.scheduling;
  const dryRun = deps.mode === 'dry-run';
  const ids = [pendingUseDecisionId(evidence.keyArn, scheduling, dryRun)];
  if (scheduling?.eventId !== undefined) ids.push(scheduleDecisionId(scheduling.eventId, dryRun));
  const found = await Promise.all(ids.map((id) => deps.decisions.get(id)));
  // Completed only: a claim whose claimer crashed before completing it did nothing anyone can rely on.
  return found.filter((decision): decision is Decision => decision?.outcome !== undefined);
};

const judgedBefore = async (deps: SweepDeps, evidence: DeletionEvidence): Promise<boolean> =>
  (await earlierDecisions(deps, evidence)).some((decision) => !(decision.outcome ?? []).some((call) => call.result === 'failed'));

/**
 * The guard already said the same about this scheduling, in this mode, and acted on it without failure: no need
 * to repeat it.
 */
const unchangedSinceScheduling = async (deps: SweepDeps, evidence: DeletionEvidence, verdict: DeletionVerdict): Promise<boolean> =>
  (await earlierDecisions(deps, evidence)).some(
    (decision) => decision.action === verdict.action && !(decision.outcome ?? []).some((call) => call.result === 'failed'),
  );

/** One reminder per threshold and deletion date; when several thresholds have passed, only the nearest is sent. */
const remind = async (
  deps: SweepDeps,
  evidence: DeletionEvidence,
  verdict: DeletionVerdict,
  sweepId: string,
  now: Date,
): Promise<Decision[]> => {
  const deletionDate = evidence.scheduling?.deletionDate;
  if (deletionDate === undefined) return [];
  const daysLeft = daysBetween(now.toISOString(), deletionDate);
  const threshold = [...deps.policy.reminderDays].sort((a, b) => a - b).find((days) => daysLeft <= days);
  if (daysLeft <= 0 || threshold === undefined) return [];
  const by = evidence.scheduling?.by;
  const reminder: Decision = {
    decisionId: reminderDecisionId(evidence.keyArn, deletionDate, threshold, deps.mode === 'dry-run'),
    action: 'alert',
    keyArn: evidence.keyArn,
    reasons: [`deletion-reminder-${threshold}d`],
    evidence: {
      deletionDate,
      daysLeft: Math.round(daysLeft * 10) / 10,
      verdict: verdict.action,
      verdictReasons: verdict.reasons,
      ...((evidence.aliases ?? []).length === 0 ? {} : { aliases: (evidence.aliases ?? []).slice(0, 5) }),
    },
    eventId: sweepId,
    decidedAt: now.toISOString(),
    ...(by === undefined ? {} : { actor: by }),
    accountId: evidence.accountId,
    region: evidence.region,
    deletionDate,
    dryRun: deps.mode === 'dry-run',
  };
  const recorded = await enactDecision(deps, reminder, async () => []);
  return recorded === undefined ? [] : [recorded];
};
