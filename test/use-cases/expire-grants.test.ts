/**
 * The sweep's flow with small in-memory ports (the DynamoDB Local and fake-KMS versions are in
 * expire-grants.integration.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../lib/config.js';
import type { ActionOutcome, Decision, GrantRecord, GrantStatus, KeyRecord, KeyStateName, KeyUsageSummary } from '../../lib/domain/model.js';
import type { DecisionStore, GrantStore, KeyDirectory, KmsKeyFacts } from '../../lib/domain/ports.js';
import { KeyNotFoundError } from '../../lib/errors.js';
import { expireGrants, type ExpireGrantsDeps } from '../../lib/use-cases/expire-grants.js';

const DAY_MS = 86_400_000;
const NOW = new Date('2026-06-01T12:30:00.000Z');
const daysAgo = (days: number): string => new Date(NOW.getTime() - days * DAY_MS).toISOString();
const KEY_A = 'arn:aws:kms:eu-west-1:111122223333:key/aaaaaaaa-0000-0000-0000-000000000000';
const KEY_B = 'arn:aws:kms:eu-west-1:111122223333:key/bbbbbbbb-0000-0000-0000-000000000000';

const grant = (grantId: string, keyArn: string, overrides: Partial<GrantRecord> = {}): GrantRecord => ({
  grantId,
  keyArn,
  granteePrincipal: 'arn:aws:iam::111122223333:role/app',
  operations: ['Decrypt'],
  createdAt: daysAgo(200),
  status: 'active',
  source: 'cloudtrail',
  ...overrides,
});

class InMemoryGrantStore implements GrantStore {
  readonly records = new Map<string, GrantRecord>();
  constructor(grants: GrantRecord[] = []) {
    for (const stored of grants) this.records.set(stored.grantId, stored);
  }
  async listGrants(keyArn: string) {
    return [...this.records.values()].filter((stored) => stored.keyArn === keyArn && stored.status === 'active');
  }
  async listActiveGrants() {
    return [...this.records.values()].filter((stored) => stored.status === 'active');
  }
  async getGrant(_keyArn: string, grantId: string) {
    return this.records.get(grantId);
  }
  async upsertDiscoveredGrants(grants: readonly GrantRecord[]) {
    return grants.map((discovered) => {
      const stored = this.records.get(discovered.grantId);
      if (stored?.status !== 'active' && stored !== undefined) return stored;
      this.records.set(discovered.grantId, discovered);
      return discovered;
    });
  }
  async closeGrant(_keyArn: string, grantId: string, status: Exclude<GrantStatus, 'active'>, at: string, by: string) {
    const stored = this.records.get(grantId);
    if (stored?.status === 'active') this.records.set(grantId, { ...stored, status, closedAt: at, closedBy: by });
  }
}

class InMemoryDecisionStore implements DecisionStore {
  readonly stored = new Map<string, { decision: Decision; status: 'claimed' | 'done' | 'failed' }>();
  async claim(decision: Decision) {
    const existing = this.stored.get(decision.decisionId);
    if (existing !== undefined && existing.status !== 'failed') return false;
    this.stored.set(decision.decisionId, { decision, status: 'claimed' });
    return true;
  }
  async complete(decisionId: string, outcome: readonly ActionOutcome[]) {
    const existing = this.stored.get(decisionId);
    if (existing === undefined) throw new Error(`no claim for ${decisionId}`);
    const failed = outcome.some((result) => result.result === 'failed');
    this.stored.set(decisionId, { decision: { ...existing.decision, outcome }, status: failed ? 'failed' : 'done' });
  }
  async get(decisionId: string) {
    return this.stored.get(decisionId)?.decision;
  }
  async list() {
    return [...this.stored.values()].map((entry) => entry.decision);
  }
}

/** KMS for tests: keys with facts and grants; revokeGrant answers from a queue of outcomes (default ok). */
class StubKeyDirectory implements KeyDirectory {
  readonly revoked: string[] = [];
  readonly listedGrantsOf: string[] = [];
  readonly revokeResults: ActionOutcome['result'][] = [];
  describeError?: Error;
  constructor(
    readonly facts: Record<string, Partial<KmsKeyFacts>>,
    readonly grants: GrantRecord[],
  ) {}
  async describe(keyArn: string): Promise<KmsKeyFacts> {
    if (this.describeError !== undefined) throw this.describeError;
    const facts = this.facts[keyArn];
    if (facts === undefined) throw new KeyNotFoundError(keyArn);
    return { keyArn, keyState: 'Enabled', tags: {}, aliases: [], keyManager: 'CUSTOMER', ...facts };
  }
  async keyState(keyArn: string): Promise<string> {
    return (await this.describe(keyArn)).keyState;
  }
  async listGrants(keyArn: string) {
    this.listedGrantsOf.push(keyArn);
    return this.grants.filter((listed) => listed.keyArn === keyArn);
  }
  async listKeyArns() {
    return Object.keys(this.facts);
  }
  async listKeyPage() {
    return { keyArns: Object.keys(this.facts) };
  }
  async listAliasesByKey() {
    return new Map(Object.entries(this.facts).map(([keyArn, facts]) => [keyArn, facts.aliases ?? []]));
  }
  async cancelKeyDeletion(): Promise<ActionOutcome> {
    throw new Error('not used by the grant sweep');
  }
  async enableKey(): Promise<ActionOutcome> {
    throw new Error('not used by the grant sweep');
  }
  async revokeGrant(_keyArn: string, grantId: string): Promise<ActionOutcome> {
    this.revoked.push(grantId);
    const result = this.revokeResults.shift() ?? 'ok';
    if (result === 'ok') this.grants.splice(this.grants.findIndex((listed) => listed.grantId === grantId), 1);
    return { call: 'RevokeGrant', result, ...(result === 'failed' ? { detail: 'KMSInternalException: boom' } : {}) };
  }
}

/** A key record as the history builds it: created (Enabled) 400 days ago, then the given transitions. */
const keyRecord = (keyArn: string, overrides: Partial<KeyRecord> = {}, states: KeyStateName[] = []): KeyRecord => ({
  keyArn,
  accountId: '111122223333',
  region: 'eu-west-1',
  history: [{ at: daysAgo(400), state: 'Enabled', eventId: 'create', eventName: 'CreateKey' }, ...states.map((state, index) => ({ at: daysAgo(100 - index), state, eventId: `change-${index}`, eventName: state === 'Disabled' ? 'DisableKey' : 'EnableKey' }))],
  tags: {},
  aliases: {},
  firstSeenAt: daysAgo(400),
  ...overrides,
});

const noUsage = (keyArn: string): KeyUsageSummary => ({ keyArn, lastUsedByOperation: {}, useCount: 0, dailyCounts: {}, callers: [], failures: [] });

interface Setup {
  stored?: GrantRecord[];
  keys?: Record<string, KeyRecord>;
  directory?: StubKeyDirectory;
  mode?: 'enforce' | 'dry-run';
  now?: Date;
}

const setup = ({ stored = [], keys = {}, directory, mode = 'enforce', now = NOW }: Setup) => {
  const grants = new InMemoryGrantStore(stored);
  const decisions = new InMemoryDecisionStore();
  const published: Decision[] = [];
  const deps: ExpireGrantsDeps = {
    usage: {
      getKey: async (keyArn) => keys[keyArn],
      getUsage: async (keyArn) => noUsage(keyArn),
      listKeyArns: async () => Object.keys(keys).sort(),
    },
    grants,
    decisions,
    publisher: { publish: async (batch) => void published.push(...batch) },
    ...(directory === undefined ? {} : { keyDirectoryFor: () => directory, keyDirectories: () => [directory] }),
    policy: DEFAULT_POLICY,
    mode,
    clock: { now: () => now },
  };
  return { deps, grants, decisions, published };
};

describe('expireGrants without KMS (replay)', () => {
  it('decides revoke-grant for a stale grant in dry-run, publishes it, and leaves the grant active', async () => {
    const { deps, grants, published } = setup({ stored: [grant('g1', KEY_A)], keys: { [KEY_A]: keyRecord(KEY_A) }, mode: 'dry-run' });
    const result = await expireGrants(deps);
    expect(published).toEqual([
      expect.objectContaining({ action: 'revoke-grant', keyArn: KEY_A, grantId: 'g1', reasons: ['stale-grant'], dryRun: true, eventId: 'grant-sweep#2026-06-01T12', decidedAt: NOW.toISOString() }),
    ]);
    expect(result.decisions).toEqual(published);
    expect(grants.records.get('g1')?.status).toBe('active');
  });

  it('reads the max-age tag and aliases from the stored key record', async () => {
    const tagged = setup({ stored: [grant('g1', KEY_A)], keys: { [KEY_A]: keyRecord(KEY_A, { tags: { 'kms-guard:grant-max-age-days': { value: '365', at: daysAgo(300) } } }) } });
    const awsManaged = setup({ stored: [grant('g1', KEY_A)], keys: { [KEY_A]: keyRecord(KEY_A, { aliases: { 'alias/aws/ebs': { value: true, at: daysAgo(300) } } }) } });
    expect(await expireGrants(tagged.deps)).toMatchObject({ kept: 1, decisions: [] });
    expect(await expireGrants(awsManaged.deps)).toMatchObject({ skipped: 1, decisions: [] });
  });
});

describe('expireGrants leaves the grants of a key that is not Enabled alone', () => {
  it.each([
    ['Disabled in its history', { [KEY_A]: keyRecord(KEY_A, {}, ['Disabled']) }],
    ['of unknown state (no history)', { [KEY_A]: keyRecord(KEY_A, { history: [] }) }],
    ['never seen by the store', {}],
  ])('in replay: a stale grant on a key %s is skipped', async (_label, keys) => {
    const { deps, published } = setup({ stored: [grant('g1', KEY_A)], keys });
    expect(await expireGrants(deps)).toMatchObject({ grantsEvaluated: 1, skipped: 1, decisions: [] });
    expect(published).toEqual([]);
  });

  it('in replay: judges the grant again once the key is enabled again', async () => {
    const { deps } = setup({ stored: [grant('g1', KEY_A)], keys: { [KEY_A]: keyRecord(KEY_A, {}, ['Disabled', 'Enabled']) } });
    expect(await expireGrants(deps)).toMatchObject({ decisions: [expect.objectContaining({ grantId: 'g1', reasons: ['stale-grant'] })] });
  });

  it.each(['Disabled', 'PendingDeletion', 'PendingImport', 'Unavailable'])('with KMS: never revokes a stale or expired grant on a %s key', async (keyState) => {
    const expired = grant('g2', KEY_A, { name: 'ci/kms-guard:ttl:1d' });
    const directory = new StubKeyDirectory({ [KEY_A]: { keyState } }, [grant('g1', KEY_A), expired]);
    const { deps, grants } = setup({ stored: [grant('g1', KEY_A), expired], directory });
    expect(await expireGrants(deps)).toMatchObject({ skipped: 2, decisions: [], failures: [] });
    expect(directory.revoked).toEqual([]);
    expect(grants.records.get('g1')?.status).toBe('active');
  });
});

describe('expireGrants calls a grant stale only where the guard watched the whole window', () => {
  const watched = { accountId: '111122223333', region: 'eu-west-1', watchedSince: daysAgo(200), lastUsageEventAt: daysAgo(0.01) };
  const sweepWith = async (coverage: ExpireGrantsDeps['coverage']) => {
    const directory = new StubKeyDirectory({ [KEY_A]: {} }, [grant('g1', KEY_A)]);
    const { deps } = setup({ stored: [grant('g1', KEY_A)], directory });
    return { result: await expireGrants({ ...deps, ...(coverage === undefined ? {} : { coverage }) }), directory };
  };

  it('revokes a stale grant where usage was recorded throughout and is still arriving', async () => {
    const { result, directory } = await sweepWith({ getCoverage: async () => watched });
    expect(result.decisions).toEqual([expect.objectContaining({ grantId: 'g1', reasons: ['stale-grant'] })]);
    expect(directory.revoked).toEqual(['g1']);
  });

  it.each([
    ['just deployed: nothing recorded yet', undefined],
    ['watching for 10 days only', { ...watched, watchedSince: daysAgo(10) }],
    ['no usage event for two days', { ...watched, lastUsageEventAt: daysAgo(2) }],
  ])('keeps it when %s', async (_label, coverage) => {
    const { result, directory } = await sweepWith({ getCoverage: async () => coverage });
    expect(result).toMatchObject({ kept: 1, decisions: [] });
    expect(directory.revoked).toEqual([]);
  });

  it('reports the key and revokes nothing when the coverage cannot be read', async () => {
    const { result, directory } = await sweepWith({ getCoverage: async () => Promise.reject(Object.assign(new Error('boom'), { name: 'InternalServerError' })) });
    expect(result.failures).toEqual([{ keyArn: KEY_A, detail: 'InternalServerError: boom' }]);
    expect(directory.revoked).toEqual([]);
  });

  it('still revokes a grant whose own TTL has passed, watched or not', async () => {
    const expired = grant('g2', KEY_A, { name: 'kms-guard:ttl:7d' });
    const directory = new StubKeyDirectory({ [KEY_A]: {} }, [expired]);
    const { deps } = setup({ stored: [expired], directory });
    const result = await expireGrants({ ...deps, coverage: { getCoverage: async () => undefined } });
    expect(result.decisions).toEqual([expect.objectContaining({ grantId: 'g2', reasons: ['grant-ttl-expired'] })]);
  });
});

describe('expireGrants with KMS', () => {
  it('revokes a stale grant once, closes it as revoked by kms-guard and publishes the outcome', async () => {
    const stale = grant('g1', KEY_A);
    const directory = new StubKeyDirectory({ [KEY_A]: {} }, [{ ...stale, source: 'list-grants' }]);
    const { deps, grants, published } = setup({ stored: [stale], directory });
    const result = await expireGrants(deps);
    expect(directory.revoked).toEqual(['g1']);
    expect(grants.records.get('g1')).toMatchObject({ status: 'revoked', closedBy: 'kms-guard', closedAt: NOW.toISOString() });
    expect(published).toEqual([expect.objectContaining({ decisionId: `revoke#${KEY_A}#g1`, dryRun: false, outcome: [{ call: 'RevokeGrant', result: 'ok' }] })]);
    expect(result).toMatchObject({ revoked: 1, failures: [] });
  });

  it('keeps the grant active and reports a failed revoke, after finishing the other keys', async () => {
    const directory = new StubKeyDirectory({ [KEY_A]: {}, [KEY_B]: {} }, [grant('g1', KEY_A), grant('g2', KEY_B)]);
    directory.revokeResults.push('failed');
    const { deps, grants } = setup({ stored: [grant('g1', KEY_A), grant('g2', KEY_B)], directory });
    const result = await expireGrants(deps);
    expect(result.failures).toEqual([{ keyArn: KEY_A, grantId: 'g1', detail: 'RevokeGrant: KMSInternalException: boom' }]);
    expect(grants.records.get('g1')?.status).toBe('active');
    expect(grants.records.get('g2')?.status).toBe('revoked');
  });

  it('retries a failed revoke on the next sweep', async () => {
    const directory = new StubKeyDirectory({ [KEY_A]: {} }, [grant('g1', KEY_A)]);
    directory.revokeResults.push('failed');
    const { deps, grants } = setup({ stored: [grant('g1', KEY_A)], directory });
    await expireGrants(deps);
    const retry = await expireGrants(deps);
    expect(directory.revoked).toEqual(['g1', 'g1']);
    expect(retry.failures).toEqual([]);
    expect(grants.records.get('g1')?.status).toBe('revoked');
  });

  it('still revokes, once enforcement is on, a grant a dry-run sweep already reported', async () => {
    const directory = new StubKeyDirectory({ [KEY_A]: {} }, [grant('g1', KEY_A)]);
    const { deps, grants } = setup({ stored: [grant('g1', KEY_A)], directory, mode: 'dry-run' });
    await expireGrants(deps);
    expect(directory.revoked).toEqual([]);
    await expireGrants({ ...deps, mode: 'enforce' });
    expect(directory.revoked).toEqual(['g1']);
    expect(grants.records.get('g1')?.status).toBe('revoked');
  });

  it('closes a grant whose revoke an earlier sweep recorded as done but could not close', async () => {
    const directory = new StubKeyDirectory({ [KEY_A]: {} }, [grant('g1', KEY_A)]);
    const { deps, grants, decisions } = setup({ stored: [grant('g1', KEY_A)], directory });
    const earlier: Decision = {
      decisionId: `revoke#${KEY_A}#g1`, action: 'revoke-grant', keyArn: KEY_A, grantId: 'g1', reasons: ['stale-grant'], evidence: {},
      eventId: 'grant-sweep#2026-06-01T11', decidedAt: daysAgo(0.05), accountId: '111122223333', region: 'eu-west-1', dryRun: false,
    };
    await decisions.claim(earlier);
    await decisions.complete(`revoke#${KEY_A}#g1`, [{ call: 'RevokeGrant', result: 'ok' }]);
    const result = await expireGrants(deps);
    expect(directory.revoked).toEqual([]);
    expect(result.decisions).toEqual([]);
    expect(grants.records.get('g1')?.status).toBe('revoked');
  });

  it("reports a grant whose decision cannot be stored and goes on with the key's other grants", async () => {
    const directory = new StubKeyDirectory({ [KEY_A]: {} }, [grant('g1', KEY_A), grant('g2', KEY_A)]);
    const { deps, decisions, grants } = setup({ stored: [grant('g1', KEY_A), grant('g2', KEY_A)], directory });
    const claim = decisions.claim.bind(decisions);
    decisions.claim = async (decision) => {
      if (decision.grantId === 'g1') throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' });
      return claim(decision);
    };
    const result = await expireGrants(deps);
    expect(result.failures).toEqual([{ keyArn: KEY_A, grantId: 'g1', detail: 'ProvisionedThroughputExceededException: Throughput exceeds the current capacity' }]);
    expect(directory.revoked).toEqual(['g2']);
    expect(grants.records.get('g2')?.status).toBe('revoked');
  });

  it('reports a key KMS cannot describe and goes on with the others', async () => {
    const directory = new StubKeyDirectory({ [KEY_A]: {} }, [grant('g1', KEY_A)]);
    directory.describeError = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const { deps } = setup({ stored: [grant('g1', KEY_A), grant('g2', KEY_B)], directory });
    const result = await expireGrants(deps);
    expect(result.failures).toEqual([
      { keyArn: KEY_A, detail: 'ThrottlingException: Rate exceeded' },
      { keyArn: KEY_B, detail: 'ThrottlingException: Rate exceeded' },
    ]);
    expect(directory.revoked).toEqual([]);
  });

  it('closes as gone the grants of a key KMS no longer has', async () => {
    const directory = new StubKeyDirectory({}, []);
    const { deps, grants } = setup({ stored: [grant('g1', KEY_A)], directory });
    const result = await expireGrants(deps);
    expect(grants.records.get('g1')).toMatchObject({ status: 'gone', closedBy: 'kms-guard' });
    expect(result).toMatchObject({ gone: 1, failures: [], decisions: [] });
  });

  it('does not judge a grant KMS still lists but the store has just closed (retired a moment ago)', async () => {
    const retired = grant('g1', KEY_A, { status: 'retired', closedAt: daysAgo(0.001), closedBy: 'arn:aws:iam::111122223333:role/app' });
    const directory = new StubKeyDirectory({ [KEY_A]: {} }, [grant('g1', KEY_A, { source: 'list-grants' })]);
    const { deps, grants } = setup({ stored: [retired], directory });
    const result = await expireGrants(deps);
    expect(result).toMatchObject({ discovered: 0, grantsEvaluated: 0, decisions: [] });
    expect(directory.revoked).toEqual([]);
    expect(grants.records.get('g1')?.status).toBe('retired');
  });

  it('does not list the grants of an AWS-managed key', async () => {
    const directory = new StubKeyDirectory({ [KEY_A]: { keyManager: 'AWS', aliases: ['alias/aws/ebs'] } }, [grant('g1', KEY_A)]);
    const { deps } = setup({ directory });
    const result = await expireGrants(deps);
    expect(directory.listedGrantsOf).toEqual([]);
    expect(result).toMatchObject({ keysSwept: 1, discovered: 0, decisions: [] });
  });

  it("uses the key's tags from KMS for the maximum age", async () => {
    const directory = new StubKeyDirectory({ [KEY_A]: { tags: { 'kms-guard:grant-max-age-days': '365' } } }, [grant('g1', KEY_A)]);
    const { deps } = setup({ stored: [grant('g1', KEY_A)], directory });
    expect(await expireGrants(deps)).toMatchObject({ kept: 1, decisions: [] });
  });
});
