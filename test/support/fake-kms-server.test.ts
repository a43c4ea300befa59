import {
  CancelKeyDeletionCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisabledException,
  EnableKeyCommand,
  EncryptCommand,
  KMSInvalidStateException,
  ListKeysCommand,
  NotFoundException,
  ScheduleKeyDeletionCommand,
  KMSServiceException,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kmsClientFor, startFakeKms, type FakeKms } from './fake-kms-server.js';

describe('the fake KMS endpoint', () => {
  let fake: FakeKms;
  let kms: KMSClient;

  beforeEach(async () => {
    fake = await startFakeKms({ now: () => new Date('2024-10-21T14:25:29Z') });
    kms = kmsClientFor(fake);
  });

  afterEach(async () => {
    kms.destroy();
    await fake.close();
  });

  it('walks a key from Enabled through PendingDeletion to Disabled, as KMS does', async () => {
    const keyArn = fake.createKey();

    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
    const pending = await kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
    await kms.send(new CancelKeyDeletionCommand({ KeyId: keyArn }));

    expect(scheduled.DeletionDate?.toISOString()).toBe('2024-10-28T14:25:29.000Z');
    expect(pending.KeyMetadata?.KeyState).toBe('PendingDeletion');
    expect(pending.KeyMetadata?.DeletionDate?.toISOString()).toBe('2024-10-28T14:25:29.000Z');
    expect(fake.state(keyArn)).toBe('Disabled');
  });

  it('moves a multi-Region primary with replicas to PendingReplicaDeletion', async () => {
    const keyArn = fake.createKey({ multiRegion: true, multiRegionKeyType: 'PRIMARY', replicaCount: 1 });

    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn }));

    expect(scheduled.KeyState).toBe('PendingReplicaDeletion');
    expect(keyArn).toMatch(/key\/mrk-[0-9a-f]{32}$/);
  });

  it('answers CancelKeyDeletion on a key that is not pending with the SDK\'s KMSInvalidStateException', async () => {
    const keyArn = fake.createKey({ state: 'Disabled' });

    const error = await kms.send(new CancelKeyDeletionCommand({ KeyId: keyArn })).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(KMSInvalidStateException);
    expect((error as Error).message).toBe(`${keyArn} is not pending deletion.`);
  });

  it('refuses EnableKey and Encrypt on a key pending deletion, and Encrypt on a disabled key', async () => {
    const pendingArn = fake.createKey({ state: 'PendingDeletion' });
    const disabledArn = fake.createKey({ state: 'Disabled' });

    const enable = await kms.send(new EnableKeyCommand({ KeyId: pendingArn })).catch((caught: unknown) => caught);
    const encryptPending = await kms.send(new EncryptCommand({ KeyId: pendingArn, Plaintext: Buffer.from('x') })).catch((caught: unknown) => caught);
    const encryptDisabled = await kms.send(new EncryptCommand({ KeyId: disabledArn, Plaintext: Buffer.from('x') })).catch((caught: unknown) => caught);

    expect(enable).toBeInstanceOf(KMSInvalidStateException);
    expect((encryptPending as Error).message).toBe(`${pendingArn} is pending deletion.`);
    expect(encryptDisabled).toBeInstanceOf(DisabledException);
    expect((encryptDisabled as Error).message).toBe(`${disabledArn} is disabled.`);
  });

  it('round-trips Encrypt and Decrypt on an enabled key and records the use', async () => {
    const keyArn = fake.createKey({ aliases: ['app'] });

    const encrypted = await kms.send(new EncryptCommand({ KeyId: 'alias/app', Plaintext: Buffer.from('secret') }));
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));

    expect(Buffer.from(decrypted.Plaintext ?? new Uint8Array()).toString()).toBe('secret');
    expect(decrypted.KeyId).toBe(keyArn);
  });

  it('answers NotFoundException for an unknown key ARN', async () => {
    const unknown = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

    const error = await kms.send(new DescribeKeyCommand({ KeyId: unknown })).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(NotFoundException);
    expect((error as Error).message).toBe(`Key '${unknown}' does not exist`);
  });

  it('lists only the keys of the caller\'s Region, page by page', async () => {
    const local = [fake.createKey(), fake.createKey(), fake.createKey()];
    fake.createKey({ region: 'eu-west-1' });

    const first = await kms.send(new ListKeysCommand({ Limit: 2 }));
    const second = await kms.send(new ListKeysCommand({ Limit: 2, Marker: first.NextMarker }));

    expect(first.Truncated).toBe(true);
    expect(second.Truncated).toBe(false);
    expect([...(first.Keys ?? []), ...(second.Keys ?? [])].map((key) => key.KeyArn)).toEqual(local);
  });

  it('injects throttling that the SDK retries, recording every attempt', async () => {
    const keyArn = fake.createKey();
    fake.failNext('DescribeKey', 1, { status: 400, type: 'ThrottlingException' });

    const described = await kms.send(new DescribeKeyCommand({ KeyId: keyArn }));

    expect(described.KeyMetadata?.Arn).toBe(keyArn);
    expect(fake.callsOf('DescribeKey')).toHaveLength(2);
  });

  it('surfaces persistent throttling as the SDK\'s ThrottlingException after maxAttempts', async () => {
    const keyArn = fake.createKey();
    fake.failNext('DescribeKey', Infinity, { status: 400, type: 'ThrottlingException' });
    const client = kmsClientFor(fake, { maxAttempts: 2 });

    const error = await client.send(new DescribeKeyCommand({ KeyId: keyArn })).catch((caught: unknown) => caught);
    client.destroy();

    // KMS does not model ThrottlingException: the SDK raises its service exception under that name.
    expect(error).toBeInstanceOf(KMSServiceException);
    expect((error as Error).name).toBe('ThrottlingException');
    expect(fake.callsOf('DescribeKey')).toHaveLength(2);
  });

  it('does not apply a delayed request the client abandoned', async () => {
    const keyArn = fake.createKey({ state: 'PendingDeletion' });
    fake.failNext('CancelKeyDeletion', 1, { delayMs: 400 });
    const client = kmsClientFor(fake, { requestTimeoutMs: 100, maxAttempts: 1 });

    const error = await client.send(new CancelKeyDeletionCommand({ KeyId: keyArn })).catch((caught: unknown) => caught);
    await new Promise((resolve) => setTimeout(resolve, 500));
    client.destroy();

    expect((error as Error).name).toBe('TimeoutError');
    expect(fake.state(keyArn)).toBe('PendingDeletion');
  });
});

describe('the fake KMS endpoint with accounts and quotas', () => {
  it('lists the calling account\'s keys only, and throttles an account past its quota within one second, not another account', async () => {
    let nowMs = 0;
    const fake = await startFakeKms({
      accountOf: (accessKeyId) => (accessKeyId === 'AKIDMEMBER' ? '222222222222' : '111122223333'),
      quotas: { DescribeKey: 3 },
      quotaClockMs: () => nowMs,
    });
    const own = kmsClientFor(fake, { maxAttempts: 1 });
    const member = kmsClientFor(fake, { maxAttempts: 1, credentials: { accessKeyId: 'AKIDMEMBER', secretAccessKey: 'fake' } });
    try {
      const ownKey = fake.createKey();
      const memberKey = fake.createKey({ accountId: '222222222222' });
      expect((await member.send(new ListKeysCommand({}))).Keys?.map((key) => key.KeyArn)).toEqual([memberKey]);
      for (let call = 0; call < 3; call += 1) await own.send(new DescribeKeyCommand({ KeyId: ownKey }));
      await expect(own.send(new DescribeKeyCommand({ KeyId: ownKey }))).rejects.toMatchObject({ name: 'ThrottlingException' });
      await member.send(new DescribeKeyCommand({ KeyId: memberKey }));
      nowMs += 1000;
      await own.send(new DescribeKeyCommand({ KeyId: ownKey }));
      expect(fake.rates().filter((rate) => rate.operation === 'DescribeKey')).toEqual([
        { accountId: '111122223333', region: 'us-east-1', operation: 'DescribeKey', quota: 3, served: 4, peakPerSecond: 3, throttled: 1 },
        { accountId: '222222222222', region: 'us-east-1', operation: 'DescribeKey', quota: 3, served: 1, peakPerSecond: 1, throttled: 0 },
      ]);
    } finally {
      own.destroy();
      member.destroy();
      await fake.close();
    }
  });
});
