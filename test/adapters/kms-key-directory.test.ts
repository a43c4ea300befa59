import type { KMSClient } from '@aws-sdk/client-kms';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KmsKeyDirectory } from '../../lib/adapters/kms-key-directory.js';
import type { RateLimiter } from '../../lib/adapters/rate-limiter.js';
import { KeyNotFoundError } from '../../lib/errors.js';
import { kmsClientFor, startFakeKms, type FakeKms } from '../support/fake-kms-server.js';

const NOW = new Date('2024-10-21T14:25:29Z');
const ROLE = 'arn:aws:iam::111122223333:role/app';

describe('KmsKeyDirectory, through the real SDK against the local KMS endpoint', () => {
  let fake: FakeKms;
  const clients: KMSClient[] = [];
  const directory = (overrides: Parameters<typeof kmsClientFor>[1] = {}, limiter?: RateLimiter): KmsKeyDirectory => {
    const client = kmsClientFor(fake, overrides);
    clients.push(client);
    return new KmsKeyDirectory(client, { limiter, clock: { now: () => NOW } });
  };

  beforeEach(async () => {
    fake = await startFakeKms({ now: () => NOW });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await fake.close();
  });

  describe('describe()', () => {
    it('maps DescribeKey, ListResourceTags, ListAliases and GetKeyLastUsage into the key facts', async () => {
      const keyArn = fake.createKey({
        creationDate: '2024-01-02T03:04:05Z',
        multiRegion: true,
        multiRegionKeyType: 'PRIMARY',
        tags: { team: 'payments', env: 'prod' },
        aliases: ['payments', 'payments-legacy'],
      });
      fake.createKey({ aliases: ['someone-else'] });
      fake.setLastUsage(keyArn, { operation: 'Decrypt', timestamp: '2024-10-20T08:00:00Z', cloudTrailEventId: 'ev-1' }, '2024-04-01T00:00:00Z');

      const facts = await directory().describe(keyArn);

      expect(facts).toEqual({
        keyArn,
        keyState: 'Enabled',
        keySpec: 'SYMMETRIC_DEFAULT',
        keyUsage: 'ENCRYPT_DECRYPT',
        origin: 'AWS_KMS',
        keyManager: 'CUSTOMER',
        customKeyStoreId: undefined,
        multiRegion: true,
        multiRegionKeyType: 'PRIMARY',
        deletionDate: undefined,
        creationDate: '2024-01-02T03:04:05.000Z',
        tags: { team: 'payments', env: 'prod' },
        aliases: ['alias/payments', 'alias/payments-legacy'],
        lastUsage: { operation: 'Decrypt', at: '2024-10-20T08:00:00.000Z', eventId: 'ev-1' },
        usageTrackingStartDate: '2024-04-01T00:00:00.000Z',
      });
    });

    it('reports the deletion date of a key pending deletion', async () => {
      const keyArn = fake.createKey({ state: 'PendingDeletion', deletionDate: '2024-10-28T14:25:29Z' });

      const facts = await directory().describe(keyArn);

      expect(facts.keyState).toBe('PendingDeletion');
      expect(facts.deletionDate).toBe('2024-10-28T14:25:29.000Z');
    });

    it('omits last usage when GetKeyLastUsage is denied, and still describes the key', async () => {
      const keyArn = fake.createKey();
      fake.failNext('GetKeyLastUsage', Infinity, { status: 400, type: 'AccessDeniedException', message: 'not authorized to perform: kms:GetKeyLastUsage' });

      const facts = await directory().describe(keyArn);

      expect(facts.keyState).toBe('Enabled');
      expect(facts).not.toHaveProperty('lastUsage');
      expect(facts).not.toHaveProperty('usageTrackingStartDate');
    });

    it('fails when GetKeyLastUsage keeps failing for a transient reason, rather than hide evidence of use', async () => {
      const keyArn = fake.createKey();
      fake.failNext('GetKeyLastUsage', Infinity, { status: 503 });

      const result = directory({ maxAttempts: 1 }).describe(keyArn);

      await expect(result).rejects.toMatchObject({ name: 'ServiceUnavailableException' });
    });

    it('throws KeyNotFoundError for a key KMS does not know', async () => {
      const unknown = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

      const result = directory().describe(unknown);

      await expect(result).rejects.toBeInstanceOf(KeyNotFoundError);
      await expect(result).rejects.toMatchObject({ keyArn: unknown });
    });
  });

  describe('listGrants()', () => {
    it('follows ListGrants pagination and maps every grant', async () => {
      const keyArn = fake.createKey();
      for (let index = 0; index < 120; index += 1) {
        fake.addGrant(keyArn, { granteePrincipal: ROLE, operations: ['Decrypt'], creationDate: '2024-05-01T00:00:00Z' });
      }
      const ebsGrantId = fake.addGrant(keyArn, {
        name: 'ebs-attach',
        granteePrincipal: 'arn:aws:sts::111122223333:assumed-role/aws:ec2-infrastructure/i-0abc',
        granteeServicePrincipal: 'ec2.us-east-1.amazonaws.com',
        retiringPrincipal: 'arn:aws:sts::111122223333:assumed-role/aws:ec2-infrastructure/i-0abc',
        operations: ['Decrypt', 'ReEncryptFrom'],
        constraints: { EncryptionContextSubset: { 'aws:ebs:id': 'vol-0abc' } },
        creationDate: '2024-06-01T12:00:00Z',
      });

      const grants = await directory().listGrants(keyArn);

      expect(fake.callsOf('ListGrants')).toHaveLength(2);
      expect(grants).toHaveLength(121);
      expect(new Set(grants.map((grant) => grant.grantId))).toEqual(new Set(fake.grantIds(keyArn)));
      expect(grants.find((grant) => grant.grantId === ebsGrantId)).toEqual({
        grantId: ebsGrantId,
        keyArn,
        granteePrincipal: 'ec2.us-east-1.amazonaws.com',
        retiringPrincipal: 'arn:aws:sts::111122223333:assumed-role/aws:ec2-infrastructure/i-0abc',
        operations: ['Decrypt', 'ReEncryptFrom'],
        constraints: { encryptionContextSubset: { 'aws:ebs:id': 'vol-0abc' } },
        name: 'ebs-attach',
        issuingAccount: 'arn:aws:iam::111122223333:root',
        createdAt: '2024-06-01T12:00:00.000Z',
        status: 'active',
        source: 'list-grants',
      });
    });

    it('paces each page through the limiter', async () => {
      const keyArn = fake.createKey();
      for (let index = 0; index < 150; index += 1) fake.addGrant(keyArn, { granteePrincipal: ROLE, operations: ['Encrypt'] });
      const acquired: string[] = [];

      await directory({}, { acquire: async (operation) => void acquired.push(operation) }).listGrants(keyArn);

      expect(acquired).toEqual(['ListGrants', 'ListGrants']);
    });
  });

  describe('listKeyArns()', () => {
    it('follows ListKeys pagination past 1000 keys', async () => {
      const created = Array.from({ length: 1001 }, () => fake.createKey());

      const arns = await directory().listKeyArns();

      expect(fake.callsOf('ListKeys')).toHaveLength(2);
      expect(arns).toEqual(created);
    });
  });

  describe('cancelKeyDeletion()', () => {
    it('cancels a pending deletion, leaving the key Disabled as KMS does', async () => {
      const keyArn = fake.createKey({ state: 'PendingDeletion' });

      const outcome = await directory().cancelKeyDeletion(keyArn);

      expect(outcome).toEqual({ call: 'CancelKeyDeletion', result: 'ok' });
      expect(fake.state(keyArn)).toBe('Disabled');
    });

    it('reports already-done when the deletion was already cancelled', async () => {
      const keyArn = fake.createKey({ state: 'PendingDeletion' });
      const kms = directory();
      await kms.cancelKeyDeletion(keyArn);

      const outcome = await kms.cancelKeyDeletion(keyArn);

      expect(outcome.result).toBe('already-done');
      expect(outcome.detail).toBe(`KMSInvalidStateException: ${keyArn} is not pending deletion.`);
    });

    it('is ok after two throttled attempts, the SDK retrying them (3 calls)', async () => {
      const keyArn = fake.createKey({ state: 'PendingDeletion' });
      fake.failNext('CancelKeyDeletion', 2, { status: 400, type: 'ThrottlingException' });

      const outcome = await directory().cancelKeyDeletion(keyArn);

      expect(outcome.result).toBe('ok');
      expect(fake.callsOf('CancelKeyDeletion')).toHaveLength(3);
      expect(fake.state(keyArn)).toBe('Disabled');
    });

    it('is ok after a 500 from KMS', async () => {
      const keyArn = fake.createKey({ state: 'PendingDeletion' });
      fake.failNext('CancelKeyDeletion', 1, { status: 500 });

      const outcome = await directory().cancelKeyDeletion(keyArn);

      expect(outcome.result).toBe('ok');
      expect(fake.callsOf('CancelKeyDeletion')).toHaveLength(2);
    });

    it('is ok after an attempt that timed out', async () => {
      const keyArn = fake.createKey({ state: 'PendingDeletion' });
      fake.failNext('CancelKeyDeletion', 1, { delayMs: 2_000 });

      const outcome = await directory({ requestTimeoutMs: 400 }).cancelKeyDeletion(keyArn);

      expect(outcome.result).toBe('ok');
      expect(fake.callsOf('CancelKeyDeletion')).toHaveLength(2);
      expect(fake.state(keyArn)).toBe('Disabled');
    });

    it('returns a failed outcome, without throwing, when throttling outlasts the retries', async () => {
      const keyArn = fake.createKey({ state: 'PendingDeletion' });
      fake.failNext('CancelKeyDeletion', Infinity, { status: 400, type: 'ThrottlingException' });

      const outcome = await directory().cancelKeyDeletion(keyArn);

      expect(outcome).toEqual({
        call: 'CancelKeyDeletion',
        result: 'failed',
        detail: 'ThrottlingException: You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.',
      });
      expect(fake.callsOf('CancelKeyDeletion')).toHaveLength(3);
      expect(fake.state(keyArn)).toBe('PendingDeletion');
    });

    it('returns a failed outcome for an invalid state other than "not pending deletion"', async () => {
      const keyArn = fake.createKey({ state: 'PendingDeletion' });
      fake.failNext('CancelKeyDeletion', 1, { status: 400, type: 'KMSInvalidStateException', message: `${keyArn} is unavailable.` });

      const outcome = await directory().cancelKeyDeletion(keyArn);

      expect(outcome.result).toBe('failed');
      expect(outcome.detail).toBe(`KMSInvalidStateException: ${keyArn} is unavailable.`);
    });
  });

  describe('enableKey()', () => {
    it('enables a key after its deletion was cancelled', async () => {
      const keyArn = fake.createKey({ state: 'PendingDeletion' });
      const kms = directory();
      await kms.cancelKeyDeletion(keyArn);

      const outcome = await kms.enableKey(keyArn);

      expect(outcome).toEqual({ call: 'EnableKey', result: 'ok' });
      expect(fake.state(keyArn)).toBe('Enabled');
    });

    it('is ok on a key that is already Enabled', async () => {
      const keyArn = fake.createKey();

      const outcome = await directory().enableKey(keyArn);

      expect(outcome.result).toBe('ok');
      expect(fake.state(keyArn)).toBe('Enabled');
    });

    it('returns a failed outcome for a key pending deletion', async () => {
      const keyArn = fake.createKey({ state: 'PendingDeletion' });

      const outcome = await directory().enableKey(keyArn);

      expect(outcome).toEqual({ call: 'EnableKey', result: 'failed', detail: `KMSInvalidStateException: ${keyArn} is pending deletion.` });
    });
  });

  describe('revokeGrant()', () => {
    it('revokes an existing grant', async () => {
      const keyArn = fake.createKey();
      const grantId = fake.addGrant(keyArn, { granteePrincipal: ROLE, operations: ['Decrypt'] });

      const outcome = await directory().revokeGrant(keyArn, grantId);

      expect(outcome).toEqual({ call: 'RevokeGrant', result: 'ok' });
      expect(fake.grantIds(keyArn)).toEqual([]);
    });

    it('reports already-done for a grant KMS no longer has (NotFoundException)', async () => {
      const keyArn = fake.createKey();
      const grantId = fake.addGrant(keyArn, { granteePrincipal: ROLE, operations: ['Decrypt'] });
      const kms = directory();
      await kms.revokeGrant(keyArn, grantId);

      const outcome = await kms.revokeGrant(keyArn, grantId);

      expect(outcome.result).toBe('already-done');
      expect(outcome.detail).toMatch(/^NotFoundException: /);
    });

    it('reports already-done for a malformed grant id (InvalidGrantIdException)', async () => {
      const keyArn = fake.createKey();

      const outcome = await directory().revokeGrant(keyArn, 'not-a-grant-id');

      expect(outcome.result).toBe('already-done');
      expect(outcome.detail).toMatch(/^InvalidGrantIdException: /);
    });

    it('reports already-done when the key itself is gone, since its grants went with it', async () => {
      const unknown = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

      const outcome = await directory().revokeGrant(unknown, 'a'.repeat(64));

      expect(outcome.result).toBe('already-done');
      expect(outcome.detail).toBe(`NotFoundException: Key '${unknown}' does not exist`);
    });

    it('returns a failed outcome when KMS keeps failing with a 5xx', async () => {
      const keyArn = fake.createKey();
      const grantId = fake.addGrant(keyArn, { granteePrincipal: ROLE, operations: ['Decrypt'] });
      fake.failNext('RevokeGrant', Infinity, { status: 500, type: 'KMSInternalException', message: 'internal error' });

      const outcome = await directory({ maxAttempts: 2 }).revokeGrant(keyArn, grantId);

      expect(outcome).toEqual({ call: 'RevokeGrant', result: 'failed', detail: 'KMSInternalException: internal error' });
      expect(fake.callsOf('RevokeGrant')).toHaveLength(2);
      expect(fake.grantIds(keyArn)).toEqual([grantId]);
    });
  });
});
