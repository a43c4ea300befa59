/**
 * The hourly grant sweep: reconcile the store with ListGrants (production only), then decide and enact
 * `revoke-grant` for stale and TTL-expired grants. One key's failure never stops the sweep: it is reported
 * in the result, and the handler throws once every other grant has been handled.
 */
import { evaluateGrant } from '../domain/grants/evaluate-grant.js';
import type { KeyScopeFacts } from '../domain/grants/key-scope.js';
import { isAwsManagedKey } from '../domain/grants/key-scope.js';
import { reconcileGrants } from '../domain/grants/reconcile-grants.js';
import { buildRevokeDecision, grantSweepEventId, keyArnParts } from '../domain/grants/revoke-decision.js';
import type { GuardPolicy } from '../domain/guard-policy.js';
import { activeAliases, activeTags, currentState } from '../domain/key-state.js';
import type { ActionOutcome, Decision, GrantRecord } from '../domain/model.js';
import type { Clock, Coverage, CoverageStore, DecisionPublisher, DecisionStore, GrantStore, KeyDirectory, UsageStore } from '../domain/ports.js';
import { KeyNotFoundError } from '../errors.js';
import { enactDecision } from './enact-decision.js';

export interface ExpireGrantsDeps {
  readonly usage: Pick<UsageStore, 'getKey' | 'getUsage' | 'listKeyArns'>;
  readonly grants: GrantStore;
  readonly decisions: DecisionStore;
  readonly publisher: DecisionPublisher;
  /** Production only: KMS for the key's account and Region. Replay has none. */
  readonly keyDirectoryFor?: (keyArn: string) => KeyDirectory;
  /** Production only: one per watched account and Region, to find keys the store has not seen. */
  readonly keyDirectories?: () => KeyDirectory[];
  /** Production, one sweep work item: reconcile exactly these keys (its share of one account and Region). */
  readonly keyArns?: readonly string[];
  /** Every alias of the keys' account and Region (one ListAliases listing), so no key costs a ListAliases call. */
  readonly aliasesByKey?: ReadonlyMap<string, readonly string[]>;
  /**
   * Production: what the guard watched per account and Region. A grant is called stale only where usage was recorded
   * throughout the recent-use window and is still arriving. Replay has none: its logs are all there is.
   */
  readonly coverage?: Pick<CoverageStore, 'getCoverage'>;
  readonly policy: GuardPolicy;
  readonly mode: 'enforce' | 'dry-run';
  readonly clock: Clock;
}

export interface GrantSweepFailure {
  readonly keyArn: string;
  readonly grantId?: string;
  readonly detail: string;
}

export interface GrantSweepResult {
  readonly eventId: string;
  readonly keysSwept: number;
  readonly grantsEvaluated: number;
  readonly discovered: number;
  readonly gone: number;
  readonly kept: number;
  /** AWS-service grants, and grants on AWS-managed keys or on keys that are not Enabled, left alone. */
  readonly skipped: number;
  /** Grants closed as revoked by this sweep (the revoke succeeded or KMS no longer had them). */
  readonly revoked: number;
  /** Decisions enacted by this sweep (dry-run included); already-claimed ones are not repeated. */
  readonly decisions: readonly Decision[];
  readonly failures: readonly GrantSweepFailure[];
}

type Counters = { -readonly [K in 'keysSwept' | 'grantsEvaluated' | 'discovered' | 'gone' | 'kept' | 'skipped' | 'revoked']: number };

interface Sweep {
  readonly deps: ExpireGrantsDeps;
  readonly now: Date;
  readonly counters: Counters;
  readonly decisions: Decision[];
  readonly failures: GrantSweepFailure[];
  /** Coverage per "account/region", read once per sweep. */
  readonly coverage: Map<string, Promise<Coverage | undefined>>;
}

/** A key's facts and its active grants; undefined when the key has nothing to evaluate. */
type KeyLoader = (sweep: Sweep, keyArn: string) => Promise<{ key: KeyScopeFacts; grants: readonly GrantRecord[] } | undefined>;

interface KeySource {
  readonly keyArns: readonly string[];
  readonly load: KeyLoader;
}

const CLOSED_BY = 'kms-guard';

export const expireGrants = async (deps: ExpireGrantsDeps): Promise<GrantSweepResult> => {
  const now = deps.clock.now();
  const sweep: Sweep = {
    deps,
    now,
    counters: { keysSwept: 0, grantsEvaluated: 0, discovered: 0, gone: 0, kept: 0, skipped: 0, revoked: 0 },
    decisions: [],
    failures: [],
    coverage: new Map(),
  };
  const directoryFor = deps.keyDirectoryFor;
  const source: KeySource =
    directoryFor === undefined ? await fromStore(deps) : { keyArns: deps.keyArns ?? (await keysToReconcile(deps)), load: fromKms(directoryFor) };
  for (const keyArn of source.keyArns) {
    sweep.counters.keysSwept += 1;
    try {
      const loaded = await source.load(sweep, keyArn);
      if (loaded !== undefined) await evaluateKey(sweep, keyArn, loaded.key, loaded.grants);
    } catch (error) {
      sweep.failures.push({ keyArn, detail: describeError(error) });
    }
  }
  return { eventId: grantSweepEventId(now), ...sweep.counters, decisions: sweep.decisions, failures: sweep.failures };
};

/** Replay: the store is all there is. */
const fromStore = async (deps: ExpireGrantsDeps): Promise<KeySource> => {
  const byKey = new Map<string, GrantRecord[]>();
  for (const grant of await deps.grants.listActiveGrants()) byKey.set(grant.keyArn, [...(byKey.get(grant.keyArn) ?? []), grant]);
  const load: KeyLoader = async (_sweep, keyArn) => {
    const record = await deps.usage.getKey(keyArn);
    // A key whose state the history never shows is not known to be Enabled: its grants are left alone.
    const key: KeyScopeFacts =
      record === undefined
        ? { aliases: [], tags: {}, keyState: 'Unknown' }
        : { keyManager: record.keyManager, aliases: activeAliases(record), tags: activeTags(record), keyState: currentState(record) };
    return { key, grants: byKey.get(keyArn) ?? [] };
  };
  return { keyArns: [...byKey.keys()].sort(), load };
};

/**
 * Production: keys with active grants in the store (to find the gone ones), plus every key KMS lists in the
 * watched accounts and Regions (to discover grants made before the guard ran), else every key the store knows.
 */
const keysToReconcile = async (deps: ExpireGrantsDeps): Promise<string[]> => {
  const withGrants = (await deps.grants.listActiveGrants()).map((grant) => grant.keyArn);
  const directories = deps.keyDirectories?.();
  const others =
    directories === undefined
      ? await deps.usage.listKeyArns()
      : (await Promise.all(directories.map((directory) => directory.listKeyArns()))).flat();
  return [...new Set([...withGrants, ...others])].sort();
};

const fromKms =
  (directoryFor: (keyArn: string) => KeyDirectory): KeyLoader =>
  async (sweep, keyArn) => {
    const { deps, now, counters } = sweep;
    const directory = directoryFor(keyArn);
    // Read the store before ListGrants: every stored grant then existed when KMS was asked.
    const stored = await deps.grants.listGrants(keyArn);
    // The grant rules read no last use (GetKeyLastUsage's quota is 5 requests/s): never asked for here.
    const aliases = deps.aliasesByKey === undefined ? {} : { aliases: deps.aliasesByKey.get(keyArn) ?? [] };
    const facts = await directory.describe(keyArn, { lastUsage: false, ...aliases }).catch((error: unknown) => {
      if (error instanceof KeyNotFoundError) return undefined;
      throw error;
    });
    const key: KeyScopeFacts | undefined =
      facts === undefined ? undefined : { keyManager: facts.keyManager, aliases: facts.aliases, tags: facts.tags, keyState: facts.keyState };
    if (key !== undefined && isAwsManagedKey(key)) return undefined;
    // A deleted key has no grants left: its stored ones are gone.
    const listed = key === undefined ? [] : await directory.listGrants(keyArn);
    const reconciliation = reconcileGrants(stored, listed, now);
    // The store reads active grants only: one it closed a moment ago comes back from the upsert as closed.
    const upserted = reconciliation.discovered.length === 0 ? [] : await deps.grants.upsertDiscoveredGrants(reconciliation.discovered);
    const discovered = upserted.filter((grant) => grant.status === 'active');
    for (const grant of reconciliation.gone) await deps.grants.closeGrant(keyArn, grant.grantId, 'gone', now.toISOString(), CLOSED_BY);
    counters.discovered += discovered.length;
    counters.gone += reconciliation.gone.length;
    const discoveredIds = new Set(reconciliation.discovered.map((grant) => grant.grantId));
    const active = [...reconciliation.active.filter((grant) => !discoveredIds.has(grant.grantId)), ...discovered];
    return key === undefined ? undefined : { key, grants: active };
  };

const evaluateKey = async (sweep: Sweep, keyArn: string, key: KeyScopeFacts, grants: readonly GrantRecord[]): Promise<void> => {
  const { deps, now, counters } = sweep;
  if (grants.length === 0) return;
  const usage = await deps.usage.getUsage(keyArn);
  const watch = await watchOf(sweep, keyArn);
  for (const grant of grants) {
    counters.grantsEvaluated += 1;
    const verdict = evaluateGrant(grant, { key, usage, policy: deps.policy, ...(watch === undefined ? {} : { watch }) }, now);
    if (verdict.kind === 'keep') counters.kept += 1;
    else if (verdict.kind === 'aws-managed-key' || verdict.kind === 'service-grant' || verdict.kind === 'key-not-enabled') counters.skipped += 1;
    if (verdict.kind !== 'revoke') continue;
    // A store error on one grant must not keep the key's other grants from being handled.
    await revoke(sweep, grant, buildRevokeDecision(grant, verdict, now, deps.mode === 'dry-run', key.aliases)).catch((error: unknown) => {
      sweep.failures.push({ keyArn, grantId: grant.grantId, detail: describeError(error) });
    });
  }
};

const watchOf = async (sweep: Sweep, keyArn: string): Promise<{ coverage: Coverage | undefined; where: string } | undefined> => {
  const store = sweep.deps.coverage;
  if (store === undefined) return undefined;
  const { accountId, region } = keyArnParts(keyArn);
  const where = `account ${accountId}, ${region}`;
  const id = `${accountId}/${region}`;
  const pending = sweep.coverage.get(id) ?? store.getCoverage(accountId, region);
  sweep.coverage.set(id, pending);
  return { coverage: await pending, where };
};

const revoke = async (sweep: Sweep, grant: GrantRecord, decision: Decision): Promise<void> => {
  const { deps, now } = sweep;
  const act = async (): Promise<readonly ActionOutcome[]> =>
    deps.keyDirectoryFor === undefined
      ? [{ call: 'RevokeGrant', result: 'skipped', detail: 'no KMS access (replay)' }]
      : [await deps.keyDirectoryFor(grant.keyArn).revokeGrant(grant.keyArn, grant.grantId)];
  const recorded = await enactDecision(deps, decision, act);
  if (recorded !== undefined) sweep.decisions.push(recorded);
  // Already claimed: an earlier sweep may have revoked it and failed to close it; finish that.
  const settled = recorded ?? (await deps.decisions.get(decision.decisionId));
  if (settled === undefined || settled.dryRun || settled.outcome === undefined) return;
  const failed = settled.outcome.filter((outcome) => outcome.result === 'failed');
  if (failed.length > 0) {
    if (recorded !== undefined) {
      sweep.failures.push({ keyArn: grant.keyArn, grantId: grant.grantId, detail: failed.map((outcome) => `${outcome.call}: ${outcome.detail ?? 'failed'}`).join('; ') });
    }
    return;
  }
  if (settled.outcome.some((outcome) => outcome.call === 'RevokeGrant' && (outcome.result === 'ok' || outcome.result === 'already-done'))) {
    await deps.grants.closeGrant(grant.keyArn, grant.grantId, 'revoked', now.toISOString(), CLOSED_BY);
    sweep.counters.revoked += 1;
  }
};

const describeError = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
