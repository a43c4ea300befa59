/**
 * The grant sweep end to end: real CloudTrail records through the ingest boundary into the DynamoDB stores
 * (DynamoDB Local), KMS through the real SDK against the local KMS endpoint.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DynamoDbDecisionStore } from '../../lib/adapters/dynamodb-decision-store.js';
import type { DynamoDbGrantStore } from '../../lib/adapters/dynamodb-grant-store.js';
import type { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { DEFAULT_POLICY } from '../../lib/config.js';
import type { Decision } from '../../lib/domain/model.js';
import { parseRecord } from '../../lib/ingest/parse-record.js';
import { expireGrants, type ExpireGrantsDeps } from '../../lib/use-cases/expire-grants.js';
import { FAKE_ACCOUNT_ID, FAKE_REGION, type FakeKms } from '../support/fake-kms-server.js';
import { startGuardWorld, type GuardWorld } from '../support/guard-world.js';
import { cloudTrailSamplesDir } from '../support/fixtures.js';

const samples = cloudTrailSamplesDir;
const sample = (file: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(samples, file), 'utf8')) as Record<string, unknown>;

const DAY_MS = 86_400_000;
const NOW = new Date('2026-06-01T12:30:00.000Z');
const daysAgo = (days: number): string => new Date(NOW.getTime() - days * DAY_MS).toISOString();
const APP_ROLE = `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/app`;
const newGrantId = (): string => randomBytes(32).toString('hex');
const MUTATING_KMS_CALLS = ['RevokeGrant', 'RetireGrant', 'CreateGrant', 'CancelKeyDeletion', 'EnableKey', 'DisableKey', 'ScheduleKeyDeletion'];

/** AWS's documented CreateGrant record, moved onto a key of the fake KMS. */
const createGrantRecord = (keyArn: string, grantId: string, at: string): Record<string, unknown> => {
  const record = structuredClone(sample('awsdocs-kms-developer-guide/ct-creategrant.json')) as Record<string, any>;
  record.eventID = randomUUID();
  record.eventTime = at;
  record.awsRegion = FAKE_REGION;
  record.requestParameters = { ...record.requestParameters, keyId: keyArn, granteePrincipal: APP_ROLE, operations: ['Decrypt', 'Encrypt'] };
  record.responseElements = { grantId };
  record.resources = [{ ARN: keyArn, accountId: FAKE_ACCOUNT_ID }];
  return record;
};

/** AWS's documented Decrypt record, made by a session of `role` at `at`. */
const decryptRecord = (keyArn: string, role: string, at: string): Record<string, unknown> => {
  const record = structuredClone(sample('awsdocs-kms-developer-guide/ct-decrypt-1.json')) as Record<string, any>;
  const roleName = role.split('/').at(-1);
  record.eventID = randomUUID();
  record.eventTime = at;
  record.awsRegion = FAKE_REGION;
  record.userIdentity = {
    type: 'AssumedRole',
    principalId: 'AROAEXAMPLE:i-0abc',
    arn: `arn:aws:sts::${FAKE_ACCOUNT_ID}:assumed-role/${roleName}/i-0abc`,
    accountId: FAKE_ACCOUNT_ID,
    sessionContext: { sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLE', arn: role, accountId: FAKE_ACCOUNT_ID, userName: roleName } },
  };
  record.requestParameters = { ...record.requestParameters, keyId: keyArn };
  record.resources = [{ ARN: keyArn, accountId: FAKE_ACCOUNT_ID, type: 'AWS::KMS::Key' }];
  return record;
};

describe('expireGrants against DynamoDB Local and the local KMS endpoint', () => {
  let world: GuardWorld;
  let fake: FakeKms;
  let deps: ExpireGrantsDeps;
  let usage: DynamoDbUsageStore;
  let grants: DynamoDbGrantStore;
  let decisions: DynamoDbDecisionStore;
  let published: Decision[];

  beforeEach(async () => {
    world = await startGuardWorld({ now: () => NOW });
    ({ fake, usage, grants, decisions, published } = world);
    deps = { ...world.ports, policy: DEFAULT_POLICY, mode: 'enforce' };
  });

  afterEach(() => world.close());

  const ingest = async (...records: Record<string, unknown>[]): Promise<void> => {
    const events = records.map((record, index) => {
      const outcome = parseRecord(record, 'test records', index);
      if (outcome.kind !== 'event') throw new Error(`test record ${index} not accepted: ${JSON.stringify(outcome)}`);
      return outcome.event;
    });
    await usage.record(events);
  };

  /** A grant to the app role, 200 days old, both in CloudTrail (and so the store) and in KMS. */
  const staleGrant = async (): Promise<{ keyArn: string; grantId: string }> => {
    const keyArn = fake.createKey({ creationDate: daysAgo(400) });
    const grantId = newGrantId();
    fake.addGrant(keyArn, { grantId, granteePrincipal: APP_ROLE, operations: ['Decrypt', 'Encrypt'], creationDate: daysAgo(200) });
    await ingest(createGrantRecord(keyArn, grantId, daysAgo(200)));
    return { keyArn, grantId };
  };

  const storedGrant = async (keyArn: string, grantId: string) => grants.getGrant(keyArn, grantId);

  describe('revoking a stale grant', () => {
    it('revokes it in KMS once, closes it as revoked by kms-guard and records the outcome', async () => {
      const { keyArn, grantId } = await staleGrant();
      const result = await expireGrants(deps);
      expect(fake.callsOf('RevokeGrant')).toHaveLength(1);
      expect(fake.grantIds(keyArn)).not.toContain(grantId);
      expect(await storedGrant(keyArn, grantId)).toMatchObject({ status: 'revoked', closedBy: 'kms-guard', closedAt: NOW.toISOString() });
      expect(await decisions.get(`revoke#${keyArn}#${grantId}`)).toMatchObject({ reasons: ['stale-grant'], outcome: [{ call: 'RevokeGrant', result: 'ok' }] });
      expect(result).toMatchObject({ revoked: 1, failures: [] });
    });

    it('keeps it when its grantee role used the key 10 days ago through a session', async () => {
      const { keyArn, grantId } = await staleGrant();
      await ingest(decryptRecord(keyArn, APP_ROLE, daysAgo(10)));
      const result = await expireGrants(deps);
      expect(fake.callsOf('RevokeGrant')).toHaveLength(0);
      expect(await storedGrant(keyArn, grantId)).toMatchObject({ status: 'active' });
      expect(result).toMatchObject({ kept: 1, decisions: [] });
    });

    it('revokes it when only another role used the key', async () => {
      const { keyArn, grantId } = await staleGrant();
      await ingest(decryptRecord(keyArn, `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/other`, daysAgo(10)));
      await expireGrants(deps);
      expect(fake.grantIds(keyArn)).not.toContain(grantId);
    });

    it.each(['NotFoundException', 'InvalidGrantIdException'])('counts %s from RevokeGrant as done and closes the grant', async (type) => {
      const { keyArn, grantId } = await staleGrant();
      fake.failNext('RevokeGrant', 1, { status: 400, type, message: `Grant ${grantId} not found` });
      const result = await expireGrants(deps);
      expect(result.failures).toEqual([]);
      expect(published).toEqual([expect.objectContaining({ grantId, outcome: [expect.objectContaining({ call: 'RevokeGrant', result: 'already-done' })] })]);
      expect(await storedGrant(keyArn, grantId)).toMatchObject({ status: 'revoked', closedBy: 'kms-guard' });
    });

    it('reports a revoke KMS keeps refusing, and leaves the grant active for the next sweep', async () => {
      const { keyArn, grantId } = await staleGrant();
      fake.failNext('RevokeGrant', 1, { status: 400, type: 'AccessDeniedException', message: 'not allowed' });
      const result = await expireGrants(deps);
      expect(result.failures).toEqual([{ keyArn, grantId, detail: expect.stringContaining('AccessDeniedException') }]);
      expect(await storedGrant(keyArn, grantId)).toMatchObject({ status: 'active' });
      const retry = await expireGrants(deps);
      expect(retry).toMatchObject({ revoked: 1, failures: [] });
    });
  });

  describe('reconciling the store with ListGrants', () => {
    it('discovers a grant made before the guard ran, with its CreationDate, and revokes it when stale', async () => {
      const keyArn = fake.createKey({ creationDate: daysAgo(400) });
      const oldGrant = fake.addGrant(keyArn, { grantId: newGrantId(), granteePrincipal: APP_ROLE, operations: ['Decrypt'], creationDate: daysAgo(200) });
      const recentGrant = fake.addGrant(keyArn, { grantId: newGrantId(), granteePrincipal: APP_ROLE, operations: ['Decrypt'], creationDate: daysAgo(10) });
      const result = await expireGrants(deps);
      expect(result.discovered).toBe(2);
      expect(await storedGrant(keyArn, oldGrant)).toMatchObject({ source: 'list-grants', createdAt: daysAgo(200), status: 'revoked' });
      expect(await storedGrant(keyArn, recentGrant)).toMatchObject({ source: 'list-grants', createdAt: daysAgo(10), status: 'active' });
      expect(fake.grantIds(keyArn)).toEqual([recentGrant]);
    });

    it('closes as gone a grant KMS no longer lists, without calling RevokeGrant', async () => {
      const keyArn = fake.createKey({ creationDate: daysAgo(400) });
      const grantId = newGrantId();
      await ingest(createGrantRecord(keyArn, grantId, daysAgo(200)));
      const result = await expireGrants(deps);
      expect(await storedGrant(keyArn, grantId)).toMatchObject({ status: 'gone', closedBy: 'kms-guard' });
      expect(fake.callsOf('RevokeGrant')).toHaveLength(0);
      expect(result).toMatchObject({ gone: 1, decisions: [] });
    });

    it('never revokes the EBS attach grant EC2 made (real record), even three years on', async () => {
      const record = sample('github-lab-writeups/fr-academy-lab__CreateGrant-by-ec2-for-ebs-attach.json') as Record<string, any>;
      const request = record.requestParameters;
      fake.createKey({ keyId: '55487ec5-4c6b-4c87-80e5-3cfa8bcfc271', accountId: '715248393954', creationDate: '2026-01-01T00:00:00Z' });
      fake.addGrant(request.keyId, {
        grantId: record.responseElements.grantId,
        granteePrincipal: request.granteePrincipal,
        retiringPrincipal: request.retiringPrincipal,
        operations: request.operations,
        constraints: { EncryptionContextSubset: request.constraints.encryptionContextSubset },
        creationDate: record.eventTime,
      });
      await ingest(record);
      const later = new Date('2029-06-01T00:00:00.000Z');
      const result = await expireGrants({ ...deps, clock: { now: () => later } });
      expect(fake.callsOf('RevokeGrant')).toHaveLength(0);
      expect(result).toMatchObject({ skipped: 1, decisions: [], failures: [] });
    });
  });

  describe('never revoking a grant in use or one an AWS service depends on', () => {
    /** A 200-day-old grant in KMS and in the store (its CreateGrant by role/Admin seen in CloudTrail). */
    const grantOn = async (keyArn: string, granteePrincipal: string, operations: string[]): Promise<string> => {
      const grantId = newGrantId();
      fake.addGrant(keyArn, { grantId, granteePrincipal, operations, creationDate: daysAgo(200) });
      const record = createGrantRecord(keyArn, grantId, daysAgo(200)) as Record<string, any>;
      record.requestParameters = { ...record.requestParameters, granteePrincipal, operations };
      await ingest(record);
      return grantId;
    };
    /** A call on the key as the key owner's trail logs it. */
    const callRecord = (keyArn: string, eventName: string, userIdentity: Record<string, unknown>, at: string): Record<string, unknown> => {
      const record = structuredClone(decryptRecord(keyArn, APP_ROLE, at)) as Record<string, any>;
      record.eventName = eventName;
      record.userIdentity = userIdentity;
      record.requestParameters = { keyId: keyArn };
      return record;
    };
    const partnerCall = { type: 'AWSAccount', principalId: 'AROAPARTNER:nightly', accountId: '444455556666' };

    it("keeps another account's role's grant while that account decrypts daily (logged as AWSAccount, no ARN)", async () => {
      const keyArn = fake.createKey({ creationDate: daysAgo(400) });
      const grantId = await grantOn(keyArn, 'arn:aws:iam::444455556666:role/partner-app', ['Decrypt']);
      await ingest(...[3, 2, 1].map((days) => callRecord(keyArn, 'Decrypt', partnerCall, daysAgo(days))));
      expect(await expireGrants(deps)).toMatchObject({ kept: 1, decisions: [] });
      expect(fake.grantIds(keyArn)).toContain(grantId);
    });

    it('keeps a DescribeKey-only grant its grantee uses daily, and revokes it once the calls stop', async () => {
      const keyArn = fake.createKey({ creationDate: daysAgo(400) });
      const grantId = await grantOn(keyArn, `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/key-inventory`, ['DescribeKey']);
      const inventory = { type: 'AssumedRole', arn: `arn:aws:sts::${FAKE_ACCOUNT_ID}:assumed-role/key-inventory/scan`, accountId: FAKE_ACCOUNT_ID };
      await ingest(callRecord(keyArn, 'DescribeKey', inventory, daysAgo(1)));
      expect(await expireGrants(deps)).toMatchObject({ kept: 1, decisions: [] });

      const later = new Date(NOW.getTime() + 40 * DAY_MS);
      const result = await expireGrants({ ...deps, clock: { now: () => later } });
      expect(result.decisions).toEqual([expect.objectContaining({ grantId, reasons: ['stale-grant'] })]);
      expect(fake.grantIds(keyArn)).not.toContain(grantId);
    });

    it('never counts the guard’s own DescribeKey calls for another principal’s grant', async () => {
      const keyArn = fake.createKey({ creationDate: daysAgo(400) });
      const grantId = await grantOn(keyArn, `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/key-inventory`, ['DescribeKey']);
      const guard = { type: 'AssumedRole', arn: `arn:aws:sts::${FAKE_ACCOUNT_ID}:assumed-role/kms-guard-grant-expirer/sweep`, accountId: FAKE_ACCOUNT_ID };
      await ingest(...[2, 1].map((days) => callRecord(keyArn, 'DescribeKey', guard, daysAgo(days))));
      expect((await expireGrants(deps)).decisions).toEqual([expect.objectContaining({ grantId, reasons: ['stale-grant'] })]);
    });

    it('never revokes the grant to Auto Scaling’s service-linked role, unused for a year', async () => {
      const keyArn = fake.createKey({ creationDate: daysAgo(400) });
      const slr = `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
      await grantOn(keyArn, slr, ['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'DescribeKey', 'CreateGrant']);
      const later = new Date(NOW.getTime() + 365 * DAY_MS);
      expect(await expireGrants({ ...deps, clock: { now: () => later } })).toMatchObject({ skipped: 1, decisions: [] });
      expect(fake.callsOf('RevokeGrant')).toHaveLength(0);
    });

    it('leaves every grant on a Disabled key, and judges it again once the key is enabled', async () => {
      const { keyArn, grantId } = await staleGrant();
      fake.setState(keyArn, 'Disabled');
      expect(await expireGrants(deps)).toMatchObject({ skipped: 1, decisions: [] });
      expect(fake.grantIds(keyArn)).toContain(grantId);

      fake.setState(keyArn, 'Enabled');
      const later = new Date(NOW.getTime() + 2 * 3_600_000);
      expect((await expireGrants({ ...deps, clock: { now: () => later } })).decisions).toEqual([expect.objectContaining({ grantId })]);
    });

    it('publishes the revocation with its evidence in words', async () => {
      const { grantId } = await staleGrant();
      await expireGrants(deps);
      const [decision] = published;
      expect(decision?.grantId).toBe(grantId);
      expect(decision?.evidence.explanation).toEqual([
        expect.stringMatching(/^created by user\/Alice at .+ \(CloudTrail CreateGrant [0-9a-f-]{36}\)$/),
        'role/app may Decrypt and Encrypt on this key; only with encryption context {"ContextKey1":"Value1"}',
        `no Decrypt or Encrypt by role/app on this key in 30 days (since ${daysAgo(30)}); none is on record`,
        '200 days old, past the 90-day limit (policy)',
      ]);
    });
  });

  describe('dry-run and repeated sweeps', () => {
    it('calls nothing that changes KMS in dry-run, publishes the decision and leaves the grant active', async () => {
      const { keyArn, grantId } = await staleGrant();
      await expireGrants({ ...deps, mode: 'dry-run' });
      expect(fake.calls.filter((call) => MUTATING_KMS_CALLS.includes(call.operation))).toEqual([]);
      expect(published).toEqual([expect.objectContaining({ grantId, dryRun: true, reasons: ['stale-grant'] })]);
      expect(await storedGrant(keyArn, grantId)).toMatchObject({ status: 'active' });
    });

    it('revokes once when the same hour is swept twice in a row', async () => {
      await staleGrant();
      await expireGrants(deps);
      const second = await expireGrants({ ...deps, clock: { now: () => new Date(NOW.getTime() + 10 * 60_000) } });
      expect(fake.callsOf('RevokeGrant')).toHaveLength(1);
      expect(second.decisions).toEqual([]);
    });

    it('revokes once when two sweeps of the same hour run at the same time', async () => {
      const { keyArn, grantId } = await staleGrant();
      const [first, second] = await Promise.all([expireGrants(deps), expireGrants(deps)]);
      expect(fake.callsOf('RevokeGrant')).toHaveLength(1);
      expect(first.decisions.length + second.decisions.length).toBe(1);
      expect((await storedGrant(keyArn, grantId))?.status).not.toBe('active');
    });
  });
});
