import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStores } from '../../lib/adapters/memory-stores.js';
import { KmsKeyDirectory } from '../../lib/adapters/kms-key-directory.js';
import { DEFAULT_POLICY } from '../../lib/config.js';
import type { Decision } from '../../lib/domain/model.js';
import type { SweepWorkItem } from '../../lib/domain/sweeps/work-item.js';
import { sweepWorkItem, SweepWorkItemFailedError, type SweepWorkDeps } from '../../lib/use-cases/sweep-work-item.js';
import { scheduleEvent } from '../domain/deletion/kms-events.js';
import { FAKE_ACCOUNT_ID, FAKE_REGION, kmsClientFor, startFakeKms, type FakeKms } from '../support/fake-kms-server.js';

const NOW = new Date('2026-06-01T12:05:00.000Z');
const LONG_AGO = '2025-01-01T00:00:00.000Z';
const item = (overrides: Partial<SweepWorkItem>): SweepWorkItem => ({
  kind: 'deletion-sweep',
  accountId: FAKE_ACCOUNT_ID,
  region: FAKE_REGION,
  plannedAt: '2026-06-01T12:00:00.000Z',
  part: 0,
  ...overrides,
});

describe('a sweep work item', () => {
  let fake: FakeKms;
  let deps: SweepWorkDeps;
  let queued: SweepWorkItem[];
  let published: Decision[];
  let stores: ReturnType<typeof createMemoryStores>;

  beforeEach(async () => {
    fake = await startFakeKms({ now: () => NOW });
    const directory = new KmsKeyDirectory(kmsClientFor(fake), { clock: { now: () => NOW } });
    queued = [];
    published = [];
    stores = createMemoryStores();
    const { coverage: _coverage, ...withoutCoverage } = stores;
    const shared = {
      ...withoutCoverage,
      publisher: { publish: async (batch: readonly Decision[]) => void published.push(...batch) },
      clock: { now: () => NOW },
      mode: 'enforce' as const,
      policy: DEFAULT_POLICY,
      historySettle: { timeoutMs: 0, intervalMs: 0 },
    };
    // No coverage store: grants are judged on the store alone, so a stale grant is revoked.
    deps = { deletion: shared, grants: shared, directoryFor: () => directory, queue: { enqueue: async (items) => void queued.push(...items) }, clock: { now: () => NOW } };
  });

  afterEach(() => fake.close());

  it('stops at the deadline between chunks and hands the rest of the page on, which the next part finishes', async () => {
    for (let index = 0; index < 150; index += 1) fake.createKey({ creationDate: LONG_AGO });
    const first = await sweepWorkItem(deps, item({}), NOW);
    expect(first.keysSwept).toBe(100);
    expect(queued).toEqual([item({ offset: 100, part: 1 })]);
    const rest = await sweepWorkItem(deps, queued[0] as SweepWorkItem, new Date(NOW.getTime() + 60_000));
    expect(rest.keysSwept).toBe(50);
    expect(queued).toHaveLength(1);
    expect(new Set(fake.callsOf('DescribeKey').map((call) => call.body.KeyId)).size).toBe(150);
  });

  it('continues on the next ListKeys page when one page is done', async () => {
    for (let index = 0; index < 1001; index += 1) fake.createKey({ creationDate: LONG_AGO });
    const outcome = await sweepWorkItem(deps, item({}), new Date(NOW.getTime() + 600_000));
    expect(outcome.keysSwept).toBe(1000);
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ part: 1, marker: expect.any(String) });
    expect(queued[0]?.offset).toBeUndefined();
  });

  it('revokes no grant of a key whose grants could not be listed, sweeps the others, then fails', async () => {
    const keys = [0, 1, 2].map(() => fake.createKey({ creationDate: LONG_AGO }));
    for (const keyArn of keys) {
      fake.addGrant(keyArn, { grantId: randomBytes(32).toString('hex'), granteePrincipal: 'arn:aws:iam::111122223333:role/app', operations: ['Decrypt'], creationDate: LONG_AGO });
    }
    fake.failNext('ListGrants', 1, { status: 400, type: 'AccessDeniedException', message: 'not allowed' });
    const sweeping = sweepWorkItem(deps, item({ kind: 'grant-sweep', scope: 'all-keys' }), new Date(NOW.getTime() + 600_000));
    await expect(sweeping).rejects.toBeInstanceOf(SweepWorkItemFailedError);
    const unlisted = fake.callsOf('ListGrants')[0]?.body.KeyId;
    expect(keys.map((keyArn) => fake.grantIds(keyArn).length)).toEqual(keys.map((keyArn) => (keyArn === unlisted ? 1 : 0)));
    expect(published.filter((decision) => decision.action === 'revoke-grant').map((decision) => decision.keyArn).sort()).toEqual(keys.filter((keyArn) => keyArn !== unlisted).sort());
  });

  it('skips an hourly sweep that waited a whole period: the next hour\'s is queued behind it', async () => {
    fake.createKey({ creationDate: LONG_AGO });
    const outcome = await sweepWorkItem(deps, item({ plannedAt: '2026-06-01T11:00:00.000Z' }), new Date(NOW.getTime() + 600_000));
    expect(outcome.superseded).toBe(true);
    expect(fake.callsOf('ListKeys')).toHaveLength(0);
    // A sweep already under way is finished, however late.
    await sweepWorkItem(deps, item({ plannedAt: '2026-06-01T11:00:00.000Z', part: 2 }), new Date(NOW.getTime() + 600_000));
    expect(fake.callsOf('DescribeKey')).toHaveLength(1);
  });

  it('hourly, reconciles only the keys the store holds grants on, without listing the account\'s keys', async () => {
    const [withGrant, withoutGrant] = [0, 1].map(() => fake.createKey({ creationDate: LONG_AGO }));
    // A recent grant: discovered by the daily listing, kept, so the store holds it as active.
    fake.addGrant(withGrant ?? '', { grantId: randomBytes(32).toString('hex'), granteePrincipal: 'arn:aws:iam::111122223333:role/app', operations: ['Decrypt'], creationDate: NOW });
    await sweepWorkItem(deps, item({ kind: 'grant-sweep', scope: 'all-keys' }), new Date(NOW.getTime() + 600_000));
    expect(fake.callsOf('ListGrants')).toHaveLength(2);
    const listed = fake.callsOf('ListKeys').length;
    await sweepWorkItem(deps, item({ kind: 'grant-sweep', scope: 'known-grants' }), new Date(NOW.getTime() + 600_000));
    expect(fake.callsOf('ListKeys')).toHaveLength(listed);
    expect(fake.callsOf('ListGrants').slice(2).map((call) => call.body.KeyId)).toEqual([withGrant]);
    expect(withoutGrant).toBeDefined();
  });

  it('checks the store\'s pending keys of its own account and Region once, and no other account\'s', async () => {
    const listed = fake.createKey({ creationDate: LONG_AGO });
    const ownUnlisted = `arn:aws:kms:${FAKE_REGION}:${FAKE_ACCOUNT_ID}:key/0b7a3c4e-1111-4222-8333-944455556666`;
    const otherAccount = `arn:aws:kms:${FAKE_REGION}:999999999999:key/0b7a3c4e-1111-4222-8333-944455557777`;
    await stores.usage.record([scheduleEvent(ownUnlisted, 'e-own', new Date(NOW.getTime() - 86_400_000)), scheduleEvent(otherAccount, 'e-other', new Date(NOW.getTime() - 86_400_000))]);
    await sweepWorkItem(deps, item({}), new Date(NOW.getTime() + 600_000));
    await sweepWorkItem(deps, item({ part: 1 }), new Date(NOW.getTime() + 600_000));
    const described = fake.callsOf('DescribeKey').map((call) => call.body.KeyId);
    expect(described.filter((keyId) => keyId === ownUnlisted)).toHaveLength(1);
    expect(described).not.toContain(otherAccount);
    expect(described.filter((keyId) => keyId === listed)).toHaveLength(2);
  });
});
