/**
 * One sweep work item: one sweep kind over one account and Region, from a ListKeys marker, for as long as the
 * invocation has time. The keys are swept a few at a time by the existing use cases (sweepPendingDeletions,
 * expireGrants); when time runs short the rest is queued as a continuation instead of timing out. Failures of single
 * keys never stop the others: they are collected and thrown at the end (the queue retries, then dead-letters), and
 * nothing is revoked or re-enabled on evidence that could not be read (the use cases fail closed per key).
 */
import type { Clock, KeyDirectory, SweepQueue } from '../domain/ports.js';
import { continuationOf, isSuperseded, type SweepWorkItem } from '../domain/sweeps/work-item.js';
import { KmsGuardError } from '../errors.js';
import { expireGrants, type ExpireGrantsDeps } from './expire-grants.js';
import { sweepPendingDeletions, type SweepDeps } from './sweep-pending-deletions.js';

export interface SweepWorkDeps {
  readonly deletion: Omit<SweepDeps, 'keyDirectories' | 'storePending' | 'keyDirectoryFor'>;
  readonly grants: Omit<ExpireGrantsDeps, 'keyDirectories' | 'keyArns' | 'aliasesByKey' | 'keyDirectoryFor'>;
  /** KMS for the item's account and Region, paced to the item's kind's share of the quotas. */
  readonly directoryFor: (item: Pick<SweepWorkItem, 'kind' | 'accountId' | 'region'>) => KeyDirectory;
  readonly queue: SweepQueue;
  readonly clock: Clock;
}

export interface SweepWorkOutcome {
  readonly item: SweepWorkItem;
  /** Keys handed to the use case (every key listed, and the store's keys of the account on the first part). */
  readonly keysSwept: number;
  readonly decisions: number;
  readonly continuation?: SweepWorkItem;
  readonly superseded?: boolean;
}

/** Some keys of a work item could not be swept; the others were, and any continuation was queued. */
export class SweepWorkItemFailedError extends KmsGuardError {
  constructor(readonly item: SweepWorkItem, readonly failures: readonly string[], options?: ErrorOptions) {
    super(`${item.kind} of ${item.accountId}/${item.region} part ${item.part} failed: ${failures.slice(0, 20).join('; ')}`, options);
  }
}

/** Keys swept between two looks at the clock: small enough to stop well before the deadline. */
export const KEYS_PER_CHUNK = { 'deletion-sweep': 100, 'grant-sweep': 20 } as const;

export const sweepWorkItem = async (deps: SweepWorkDeps, item: SweepWorkItem, deadline: Date): Promise<SweepWorkOutcome> => {
  if (isSuperseded(item, deps.clock.now())) return { item, keysSwept: 0, decisions: 0, superseded: true };
  const directory = deps.directoryFor(item);
  const inScope = (keyArn: string): boolean => keyArn.split(':')[3] === item.region && keyArn.split(':')[4] === item.accountId;
  const firstPart = item.part === 0;
  // Hourly grant sweeps reconcile only keys the store holds grants on; the daily one lists every key.
  const listsKeys = item.kind === 'deletion-sweep' || item.scope !== 'known-grants';
  const page = listsKeys ? await directory.listKeyPage(item.marker) : undefined;
  const storeGrantKeys =
    item.kind === 'grant-sweep' && (firstPart || !listsKeys)
      ? [...new Set((await deps.grants.grants.listActiveGrants()).map((grant) => grant.keyArn).filter(inScope))].sort()
      : [];
  const keys = listsKeys ? [...(page?.keyArns ?? [])] : storeGrantKeys;
  const failures: string[] = [];
  const errors: unknown[] = [];
  let decisions = 0;
  let swept = 0;
  let done = item.offset ?? 0;
  // The store's keys of this account and Region (pending deletion, or with grants) join the first chunk of part 0.
  const first = firstPart && (item.offset ?? 0) === 0;
  const extra = listsKeys && first && item.kind === 'grant-sweep' ? storeGrantKeys.filter((keyArn) => !keys.includes(keyArn)) : [];
  // One listing of the account's aliases instead of a ListAliases per key; none when there is nothing to sweep.
  const hasWork = done < keys.length || extra.length > 0;
  const aliasesByKey = item.kind === 'grant-sweep' && hasWork ? await directory.listAliasesByKey() : undefined;
  for (let chunkIndex = 0; done < keys.length || (chunkIndex === 0 && first); chunkIndex += 1) {
    if (chunkIndex > 0 && deps.clock.now().getTime() >= deadline.getTime()) break;
    const chunk = keys.slice(done, done + KEYS_PER_CHUNK[item.kind]);
    const withStore = chunkIndex === 0 && first;
    try {
      if (item.kind === 'deletion-sweep') {
        const decided = await sweepPendingDeletions({
          ...deps.deletion,
          keyDirectories: () => [listing(directory, chunk)],
          keyDirectoryFor: () => directory,
          storePending: withStore ? (key) => inScope(key.keyArn) : false,
        });
        decisions += decided.length;
      } else {
        const result = await expireGrants({
          ...deps.grants,
          keyArns: withStore ? [...chunk, ...extra] : chunk,
          keyDirectoryFor: () => directory,
          ...(aliasesByKey === undefined ? {} : { aliasesByKey }),
        });
        decisions += result.decisions.length;
        failures.push(...result.failures.map((failure) => `${failure.keyArn}${failure.grantId === undefined ? '' : ` grant ${failure.grantId}`}: ${failure.detail}`));
      }
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
      errors.push(error);
    }
    swept += chunk.length + (withStore ? extra.length : 0);
    done += chunk.length;
  }
  const continuation = nextItem(item, page?.nextMarker, done, keys.length, listsKeys);
  if (continuation !== undefined) await deps.queue.enqueue([continuation]);
  if (failures.length > 0) throw new SweepWorkItemFailedError(item, failures, { cause: errors.length === 1 ? errors[0] : new AggregateError(errors) });
  return { item, keysSwept: swept, decisions, ...(continuation === undefined ? {} : { continuation }) };
};

/** The rest of this page (stopped mid-page), else the next page, else nothing. */
const nextItem = (item: SweepWorkItem, nextMarker: string | undefined, done: number, total: number, listsKeys: boolean): SweepWorkItem | undefined => {
  if (done < total) return continuationOf(item, item.marker, done);
  if (listsKeys && nextMarker !== undefined) return continuationOf(item, nextMarker, 0);
  return undefined;
};

/** The directory, listing only `keyArns`: the use case sweeps this chunk, not the whole account. */
const listing = (directory: KeyDirectory, keyArns: readonly string[]): KeyDirectory => ({
  describe: (keyArn, options) => directory.describe(keyArn, options),
  keyState: (keyArn) => directory.keyState(keyArn),
  listGrants: (keyArn) => directory.listGrants(keyArn),
  listKeyArns: async () => [...keyArns],
  listKeyPage: async () => ({ keyArns }),
  listAliasesByKey: () => directory.listAliasesByKey(),
  cancelKeyDeletion: (keyArn) => directory.cancelKeyDeletion(keyArn),
  enableKey: (keyArn) => directory.enableKey(keyArn),
  revokeGrant: (keyArn, grantId) => directory.revokeGrant(keyArn, grantId),
});
