/**
 * The store contract: one set of cases, written from the port documentation in lib/domain/ports.ts and
 * lib/domain/alerts/custom-key-store-registry.ts, that every implementation of the store ports must pass. It runs
 * against the in-memory store (the replay's default) and against DynamoDB Local (production's adapters), so the
 * two cannot drift: a change to one store's semantics fails here for the other.
 */
import { describe, expect, it } from 'vitest';
import type { Stores } from '../../lib/adapters/memory-stores.js';
import { CLAIM_LEASE_MS } from '../../lib/domain/decision-claim.js';
import type { KmsEvent } from '../../lib/domain/kms-event.js';
import type { Decision, GrantRecord } from '../../lib/domain/model.js';
import { cksRecord, eventFrom } from '../domain/alerts/samples.js';
import { ACCOUNT, ADMIN, EBS, failed, keyArn, kmsEvent, shuffled } from '../domain/usage-test-events.js';

export type StoresFactory = () => Promise<Stores>;

const KEYS = ['c1', 'c2', 'c3'].map(keyArn);

const uses = (count: number, keys: readonly string[], day: string): KmsEvent[] =>
  Array.from({ length: count }, (_, index) =>
    kmsEvent(index % 3 === 0 ? 'Encrypt' : 'Decrypt', keys[index % keys.length] ?? '', `${day}T${String(index % 24).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}:00.000Z`, {
      caller: index % 2 === 0 ? EBS : ADMIN,
    }),
  );

const schedule = (key: string, at: string): KmsEvent =>
  kmsEvent('ScheduleKeyDeletion', key, at, {
    caller: ADMIN,
    requestParameters: { keyId: key, pendingWindowInDays: 7 },
    responseElements: { keyId: key, keyState: 'PendingDeletion', deletionDate: 'Oct 21, 2024, 2:25:29 PM' },
  });

const decision = (decisionId: string, decidedAt = '2024-05-01T00:00:00.000Z', extra: Partial<Decision> = {}): Decision => ({
  decisionId,
  action: 'cancel-deletion',
  keyArn: keyArn('d'),
  reasons: ['recent-use'],
  evidence: { lastUsedAt: '2024-04-30T00:00:00.000Z' },
  eventId: decisionId,
  decidedAt,
  accountId: ACCOUNT,
  region: 'us-east-1',
  reEnable: true,
  dryRun: false,
  ...extra,
});

const discovered = (key: string, grantId: string, extra: Partial<GrantRecord> = {}): GrantRecord => ({
  grantId,
  keyArn: key,
  granteePrincipal: `arn:aws:iam::${ACCOUNT}:role/app`,
  operations: ['Decrypt'],
  createdAt: '2024-05-01T00:00:00.000Z',
  status: 'active',
  source: 'list-grants',
  ...extra,
});

const cks = (eventName: string, eventID: string, eventTime: string, requestParameters: Record<string, unknown>, responseElements: unknown = null) =>
  eventFrom(cksRecord(eventName, requestParameters, { eventID, eventTime, responseElements }));

/** A role ARN as long as IAM allows (a 512-character path and a 64-character name): about 610 characters. */
const longRole = (index: number): string => `arn:aws:iam::${ACCOUNT}:role/${'team/'.repeat(100)}${String(index).padStart(64, 'r')}`;

export const describeStoreContract = (name: string, newStores: StoresFactory): void => {
  describe(`${name}: the usage store`, () => {
    it('coalesces a batch into one write per key and day, not one per event', async () => {
      const { usage } = await newStores();
      const events = [...uses(150, KEYS, '2024-05-01'), ...uses(150, KEYS, '2024-05-02')];

      const result = await usage.record(events);

      // Six buckets, and the two coverage bounds of the account and Region (lib/domain/coverage.ts).
      expect(result).toEqual({ recorded: 300, duplicates: 0, writes: 6 + 2, keyBatches: 3 });
      expect(await Promise.all(KEYS.map(async (key) => (await usage.getUsage(key)).useCount))).toEqual([100, 100, 100]);
    });

    it('records each eventID once: a redelivered batch writes nothing and counts as duplicates', async () => {
      const { usage } = await newStores();
      const events = uses(60, KEYS, '2024-05-01');
      await usage.record(events);
      const before = await usage.getUsage(KEYS[0] ?? '');

      const again = await usage.record(shuffled(events, 3));

      // Nothing but the two coverage bounds, which a redelivery still moves (a first delivery may have failed before them).
      expect(again).toEqual({ recorded: 0, duplicates: 60, writes: 2, keyBatches: 3 });
      expect(await usage.getUsage(KEYS[0] ?? '')).toEqual(before);
    });

    it('is order-safe: shuffled, duplicated and split batches give the summary of one ordered pass', async () => {
      const [ordered, messy] = [(await newStores()).usage, (await newStores()).usage];
      const events = [
        ...uses(90, KEYS.slice(0, 2), '2024-05-01'),
        ...uses(40, KEYS.slice(0, 2), '2024-05-02'),
        failed('Decrypt', KEYS[0] ?? '', '2024-05-02T05:00:00.000Z', 'KMSInvalidStateException', 'key is pending deletion.'),
      ];
      await ordered.record([...events].sort((a, b) => a.eventTime.localeCompare(b.eventTime)));

      const mixed = shuffled([...events, ...events.slice(0, 30)], 11);
      let duplicates = 0;
      for (let start = 0; start < mixed.length; start += 29) duplicates += (await messy.record(mixed.slice(start, start + 29))).duplicates;

      expect(duplicates).toBe(30);
      for (const key of KEYS.slice(0, 2)) expect(await messy.getUsage(key)).toEqual(await ordered.getUsage(key));
      expect((await messy.getUsage(KEYS[0] ?? '')).lastUsedAt).toBe('2024-05-02T22:22:00.000Z');
    });

    it('keeps failed calls apart from uses, with their error and the latest pending-deletion failure', async () => {
      const { usage } = await newStores();
      const key = keyArn('f');
      await usage.record([
        kmsEvent('Decrypt', key, '2024-05-01T01:00:00.000Z'),
        failed('Decrypt', key, '2024-05-01T02:00:00.000Z', 'KMSInvalidStateException', `${key} is pending deletion.`),
        failed('Decrypt', key, '2024-05-01T03:00:00.000Z', 'KMSInvalidStateException', `${key} is pending deletion.`),
      ]);

      const summary = await usage.getUsage(key);

      expect(summary.useCount).toBe(1);
      expect(summary.failures).toEqual([expect.objectContaining({ operation: 'Decrypt', errorCode: 'KMSInvalidStateException', count: 2, lastAt: '2024-05-01T03:00:00.000Z' })]);
      expect(summary.lastPendingDeletionFailure?.at).toBe('2024-05-01T03:00:00.000Z');
    });

    it('builds key records from lifecycle events and lists exactly the keys pending deletion', async () => {
      const { usage } = await newStores();
      const [pending, cancelled] = [keyArn('p1'), keyArn('p2')];
      await usage.record([schedule(pending, '2024-05-01T10:00:00.000Z'), schedule(cancelled, '2024-05-01T10:00:00.000Z')]);
      await usage.record([kmsEvent('CancelKeyDeletion', cancelled, '2024-05-01T11:00:00.000Z', { caller: ADMIN })]);

      const listed = await usage.listKeysPendingDeletion();

      expect(listed.map((record) => record.keyArn)).toEqual([pending]);
      expect(listed[0]?.pendingDeletion).toMatchObject({ scheduledAt: '2024-05-01T10:00:00.000Z', pendingWindowInDays: 7 });
      expect((await usage.getKey(cancelled))?.history.map((transition) => transition.state)).toEqual(['PendingDeletion', 'Disabled']);
    });

    it('knows nothing of a key it never saw: no record, an empty summary', async () => {
      const { usage } = await newStores();

      expect(await usage.getKey(keyArn('nobody'))).toBeUndefined();
      expect(await usage.getUsage(keyArn('nobody'))).toMatchObject({ useCount: 0, callers: [], failures: [], lastUsedByOperation: {} });
    });

    it('lists every key it holds a record or usage for, sorted by ARN', async () => {
      const { usage } = await newStores();
      await usage.record([kmsEvent('Decrypt', keyArn('z9'), '2024-05-01T00:00:00.000Z'), schedule(keyArn('a1'), '2024-05-01T00:00:00.000Z')]);
      await usage.record([kmsEvent('DescribeKey', keyArn('m5'), '2024-05-01T00:00:00.000Z')]);

      expect(await usage.listKeyArns()).toEqual([keyArn('a1'), keyArn('z9')]);
    });

    it('keeps a day of usage under 400 KB however many callers it has: every use counted, the callers bounded', async () => {
      const { usage } = await newStores();
      const [flooded, quiet] = [keyArn('big'), keyArn('small')];
      // 400 callers with IAM's longest role ARNs: each appears as the caller's id and principal (~1.3 KB), ~520 KB unbounded.
      const flood = Array.from({ length: 400 }, (_, index) =>
        kmsEvent('Decrypt', flooded, '2024-05-01T00:00:00.000Z', { caller: { principal: longRole(index), principalType: 'AssumedRole' } }),
      );

      await usage.record([...flood, kmsEvent('Decrypt', quiet, '2024-05-01T00:00:00.000Z')]);

      const summary = await usage.getUsage(flooded);
      expect(summary.useCount).toBe(400);
      expect(summary.callers.length).toBeGreaterThan(0);
      expect(summary.callers.length).toBeLessThan(400);
      expect((await usage.getUsage(quiet)).useCount).toBe(1);
    });
  });

  describe(`${name}: the grant store`, () => {
    it('lists the grants CloudTrail created under their key, and only open ones as active', async () => {
      const { usage, grants } = await newStores();
      const key = keyArn('g1');
      await usage.record([
        kmsEvent('CreateGrant', key, '2024-05-01T00:00:00.000Z', { caller: EBS, responseElements: { grantId: 'open' } }),
        kmsEvent('CreateGrant', key, '2024-05-01T00:00:00.000Z', { responseElements: { grantId: 'retired' } }),
        kmsEvent('RetireGrant', key, '2024-05-02T00:00:00.000Z', { requestParameters: { grantId: 'retired' } }),
      ]);

      const listed = await grants.listGrants(key);

      expect(listed.map((grant) => [grant.grantId, grant.status])).toEqual([['open', 'active']]);
      expect((await grants.listActiveGrants()).map((grant) => grant.grantId)).toEqual(['open']);
      expect(listed[0]).toMatchObject({ invokedBy: 'ec2.amazonaws.com', source: 'cloudtrail' });
      expect(await grants.getGrant(key, 'retired')).toMatchObject({ status: 'retired', closedAt: '2024-05-02T00:00:00.000Z' });
    });

    it('inserts discovered grants and keeps what CloudTrail said about their creator', async () => {
      const { usage, grants } = await newStores();
      const key = keyArn('g2');
      await usage.record([kmsEvent('CreateGrant', key, '2024-04-01T00:00:00.000Z', { caller: EBS, responseElements: { grantId: 'known' } })]);

      await grants.upsertDiscoveredGrants([discovered(key, 'known'), discovered(key, 'new')]);

      const listed = await grants.listGrants(key);
      expect(listed.map((grant) => grant.grantId).sort()).toEqual(['known', 'new']);
      expect(listed.find((grant) => grant.grantId === 'known')).toMatchObject({ createdBy: EBS.principal, invokedBy: 'ec2.amazonaws.com', createdAt: '2024-04-01T00:00:00.000Z' });
    });

    it('never reopens a closed grant: neither a ListGrants refresh nor a late CreateGrant', async () => {
      const { usage, grants } = await newStores();
      const key = keyArn('g3');
      await grants.closeGrant(key, 'early-close', 'revoked', '2024-05-03T00:00:00.000Z', 'kms-guard');

      await grants.upsertDiscoveredGrants([discovered(key, 'early-close')]);
      await usage.record([kmsEvent('CreateGrant', key, '2024-05-01T00:00:00.000Z', { responseElements: { grantId: 'early-close' } })]);

      expect(await grants.getGrant(key, 'early-close')).toMatchObject({ grantId: 'early-close', status: 'revoked', closedAt: '2024-05-03T00:00:00.000Z' });
      expect(await grants.listGrants(key)).toEqual([]);
      expect(await grants.listActiveGrants()).toEqual([]);
    });

    it('closes a grant once: closing it again keeps the first close', async () => {
      const { grants } = await newStores();
      const key = keyArn('g4');
      await grants.upsertDiscoveredGrants([discovered(key, 'twice')]);

      await grants.closeGrant(key, 'twice', 'revoked', '2024-05-03T00:00:00.000Z', 'kms-guard');
      await grants.closeGrant(key, 'twice', 'gone', '2024-05-04T00:00:00.000Z', 'kms-guard');

      expect(await grants.getGrant(key, 'twice')).toMatchObject({ status: 'revoked', closedAt: '2024-05-03T00:00:00.000Z', closedBy: 'kms-guard' });
    });
  });

  describe(`${name}: the decision store`, () => {
    it('lets exactly one of 10 concurrent claims of a decision win', async () => {
      const { decisions } = await newStores();

      const claims = await Promise.all(Array.from({ length: 10 }, () => decisions.claim(decision('race'))));

      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    it('lets a failed decision be claimed again, and a done one not', async () => {
      const { decisions } = await newStores();
      await decisions.claim(decision('failed-once'));
      await decisions.complete('failed-once', [{ call: 'CancelKeyDeletion', result: 'failed', detail: 'throttled' }]);
      await decisions.claim(decision('done-once'));
      await decisions.complete('done-once', [{ call: 'CancelKeyDeletion', result: 'ok' }]);

      expect(await decisions.claim(decision('failed-once'))).toBe(true);
      expect(await decisions.claim(decision('done-once'))).toBe(false);
    });

    it('lets a claim whose claimer never completed be taken again once its lease ran out, and not before', async () => {
      const { decisions } = await newStores();
      const claimedAt = '2024-05-01T00:00:00.000Z';
      await decisions.claim(decision('crashed', claimedAt));

      expect(await decisions.claim(decision('crashed', new Date(Date.parse(claimedAt) + CLAIM_LEASE_MS - 1_000).toISOString()))).toBe(false);
      expect(await decisions.claim(decision('crashed', new Date(Date.parse(claimedAt) + CLAIM_LEASE_MS + 1_000).toISOString()))).toBe(true);
    });

    it('keeps the outcome of a completed decision, and refuses to complete one never claimed', async () => {
      const { decisions } = await newStores();
      await decisions.claim(decision('with-outcome'));

      await decisions.complete('with-outcome', [{ call: 'CancelKeyDeletion', result: 'ok' }, { call: 'EnableKey', result: 'already-done' }]);

      expect(await decisions.get('with-outcome')).toEqual({
        ...decision('with-outcome'),
        outcome: [{ call: 'CancelKeyDeletion', result: 'ok' }, { call: 'EnableKey', result: 'already-done' }],
      });
      expect(await decisions.get('never')).toBeUndefined();
      await expect(decisions.complete('never', [])).rejects.toThrow();
    });

    it('lists every decision, oldest first', async () => {
      const { decisions } = await newStores();
      await decisions.claim(decision('second', '2024-05-02T00:00:00.000Z'));
      await decisions.claim(decision('first', '2024-05-01T00:00:00.000Z'));

      expect((await decisions.list()).map((entry) => entry.decisionId)).toEqual(['first', 'second']);
    });

    it('refuses a decision over 400 KB, as DynamoDB does', async () => {
      const { decisions } = await newStores();

      await expect(decisions.claim(decision('huge', undefined, { evidence: { note: 'x'.repeat(420 * 1024) } }))).rejects.toThrow();
      expect(await decisions.get('huge')).toBeUndefined();
    });
  });

  describe(`${name}: the coverage store`, () => {
    it('keeps the earliest watchedSince and the latest usage arrival, per account and Region', async () => {
      const { coverage } = await newStores();
      await coverage.widenWatchedSince(ACCOUNT, 'us-east-1', '2024-05-02T00:00:00.000Z');
      await coverage.widenWatchedSince(ACCOUNT, 'us-east-1', '2024-05-01T00:00:00.000Z');
      await coverage.widenWatchedSince(ACCOUNT, 'us-east-1', '2024-05-03T00:00:00.000Z');
      await coverage.recordUsageArrival(ACCOUNT, 'us-east-1', '2024-05-05T00:00:00.000Z');
      await coverage.recordUsageArrival(ACCOUNT, 'us-east-1', '2024-05-04T00:00:00.000Z');
      await coverage.recordUsageArrival(ACCOUNT, 'eu-west-1', '2024-05-01T00:00:00.000Z');

      expect(await coverage.getCoverage(ACCOUNT, 'us-east-1')).toEqual({
        accountId: ACCOUNT,
        region: 'us-east-1',
        watchedSince: '2024-05-01T00:00:00.000Z',
        lastUsageEventAt: '2024-05-05T00:00:00.000Z',
      });
      expect(await coverage.getCoverage(ACCOUNT, 'eu-west-1')).toEqual({ accountId: ACCOUNT, region: 'eu-west-1', lastUsageEventAt: '2024-05-01T00:00:00.000Z' });
      expect(await coverage.getCoverage(ACCOUNT, 'ap-south-1')).toBeUndefined();
    });
  });

  describe(`${name}: the custom key store ledger`, () => {
    it('links a store to its cluster and follows its connection state, newest event first whatever the arrival order', async () => {
      const { customKeyStores } = await newStores();
      await customKeyStores.observe(cks('CreateCustomKeyStore', 'c1', '2024-05-01T10:00:00Z', { clusterId: 'cluster-a' }, { customKeyStoreId: 'cks-a' }));
      const disconnect = cks('DisconnectCustomKeyStore', 'c3', '2024-05-02T10:00:00Z', { customKeyStoreId: 'cks-a' });
      await customKeyStores.observe(disconnect);
      await customKeyStores.observe(cks('ConnectCustomKeyStore', 'c2-late', '2024-05-01T12:00:00Z', { customKeyStoreId: 'cks-a' }));
      await customKeyStores.observe(disconnect);

      expect(await customKeyStores.store('cks-a')).toEqual({ customKeyStoreId: 'cks-a', cloudHsmClusterId: 'cluster-a', connectionState: 'DISCONNECTED', customKeyStoreType: 'AWS_CLOUDHSM' });
      expect((await customKeyStores.storesBackedBy('cluster-a')).map((store) => store.customKeyStoreId)).toEqual(['cks-a']);
      expect(await customKeyStores.store('cks-unknown')).toBeUndefined();
    });

    it('forgets a deleted store as a backer of its cluster', async () => {
      const { customKeyStores } = await newStores();
      await customKeyStores.observe(cks('CreateCustomKeyStore', 'd1', '2024-05-01T10:00:00Z', { clusterId: 'cluster-d' }, { customKeyStoreId: 'cks-d' }));
      await customKeyStores.observe(cks('DeleteCustomKeyStore', 'd2', '2024-05-03T10:00:00Z', { customKeyStoreId: 'cks-d' }));

      expect(await customKeyStores.storesBackedBy('cluster-d')).toEqual([]);
    });

    it('counts HSMs from CreateHsm and DeleteHsm, by id or by ENI IP, and not at all without a CreateHsm', async () => {
      const { customKeyStores } = await newStores();
      expect(await customKeyStores.activeHsmCount('cluster-h')).toBeUndefined();
      for (const index of [1, 2, 3]) {
        await customKeyStores.observe(cks('CreateHsm', `h${index}`, `2024-05-01T10:0${index}:00Z`, { clusterId: 'cluster-h' }, { hsm: { hsmId: `hsm-${index}`, eniIp: `10.0.0.${index}` } }));
      }
      await customKeyStores.observe(cks('DeleteHsm', 'h4', '2024-05-02T10:00:00Z', { clusterId: 'cluster-h', hsmId: 'hsm-1' }));
      await customKeyStores.observe(cks('DeleteHsm', 'h5', '2024-05-02T11:00:00Z', { clusterId: 'cluster-h', eniIp: '10.0.0.2' }));

      expect(await customKeyStores.activeHsmCount('cluster-h')).toBe(1);
    });
  });
};
