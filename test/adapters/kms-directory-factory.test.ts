import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AssumeRoleError,
  InvalidKeyArnError,
  KmsDirectoryFactory,
  OrgModeNotConfiguredError,
  type KmsDirectoryFactoryOptions,
} from '../../lib/adapters/kms-directory-factory.js';
import { KmsKeyDirectory } from '../../lib/adapters/kms-key-directory.js';
import { ConfigError, KmsGuardError } from '../../lib/errors.js';
import { startFakeKms, type FakeKms } from '../support/fake-kms-server.js';

const GUARD_ACCOUNT = '111122223333';
const MEMBER_ACCOUNT = '444455556666';
const keyIn = (account: string, region = 'us-east-1', partition = 'aws'): string =>
  `arn:${partition}:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

type ResolvedCredentials = { accessKeyId: string; sessionToken?: string; expiration?: Date };
const credentialsOf = async (config: KMSClientConfig): Promise<ResolvedCredentials> => {
  const { credentials } = config;
  if (typeof credentials !== 'function') throw new Error('expected a credentials provider');
  return (await credentials()) as ResolvedCredentials;
};

describe('KmsDirectoryFactory', () => {
  const sts = new STSClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIAGUARD', secretAccessKey: 'guard' } });
  const stsMock = mockClient(sts);
  let now: Date;
  let configs: KMSClientConfig[];
  let clients: KMSClient[];

  const factory = (options: Partial<KmsDirectoryFactoryOptions> = {}): KmsDirectoryFactory =>
    new KmsDirectoryFactory({
      guardAccountId: GUARD_ACCOUNT,
      createKmsClient: (config) => {
        configs.push(config);
        const client = new KMSClient(config);
        clients.push(client);
        return client;
      },
      clock: { now: () => now },
      ...options,
    });

  const assumedRole = (accessKeyId: string, expiration: Date) => ({
    Credentials: { AccessKeyId: accessKeyId, SecretAccessKey: 'secret', SessionToken: `token-${accessKeyId}`, Expiration: expiration },
  });

  beforeEach(() => {
    stsMock.reset();
    now = new Date('2024-10-21T12:00:00Z');
    configs = [];
    clients = [];
  });

  afterEach(() => {
    for (const client of clients) client.destroy();
  });

  describe('for a key in the guard\'s own account', () => {
    it('builds one client per Region, with the standard retry settings and the guard\'s own credentials', () => {
      const directories = factory({ clientConfig: { maxAttempts: 5 } });

      const east = directories.forKey(keyIn(GUARD_ACCOUNT, 'us-east-1'));
      const eastAgain = directories.forKey(keyIn(GUARD_ACCOUNT, 'us-east-1').replace('1234abcd', '9999abcd'));
      const west = directories.forAccountRegion(GUARD_ACCOUNT, 'eu-west-1');

      expect(east).toBeInstanceOf(KmsKeyDirectory);
      expect(eastAgain).toBe(east);
      expect(west).not.toBe(east);
      expect(configs.map((config) => config.region)).toEqual(['us-east-1', 'eu-west-1']);
      expect(configs[0]).toMatchObject({ retryMode: 'standard', maxAttempts: 5, requestHandler: { throwOnRequestTimeout: true } });
      expect(configs[0]).not.toHaveProperty('credentials');
      expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    });
  });

  describe('for a key in another account', () => {
    it('refuses it with a KmsGuardError when org mode is not configured', () => {
      const directories = factory();

      const lookup = (): unknown => directories.forKey(keyIn(MEMBER_ACCOUNT));

      expect(lookup).toThrow(OrgModeNotConfiguredError);
      expect(lookup).toThrow(KmsGuardError);
      expect(lookup).toThrow(/444455556666/);
    });

    it('assumes the remediation role in the key\'s account, session name kms-guard', async () => {
      stsMock.on(AssumeRoleCommand).resolves(assumedRole('ASIAMEMBER1', new Date('2024-10-21T13:00:00Z')));
      const directories = factory({ remediationRoleName: 'KmsGuardRemediation', sts });

      directories.forKey(keyIn(MEMBER_ACCOUNT, 'eu-central-1'));
      const credentials = await credentialsOf(configs[0] ?? {});

      expect(configs[0]?.region).toBe('eu-central-1');
      expect(credentials).toMatchObject({ accessKeyId: 'ASIAMEMBER1', sessionToken: 'token-ASIAMEMBER1' });
      expect(stsMock.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
        { RoleArn: 'arn:aws:iam::444455556666:role/KmsGuardRemediation', RoleSessionName: 'kms-guard', DurationSeconds: undefined },
      ]);
    });

    it('takes the partition of the role ARN from the key ARN', async () => {
      stsMock.on(AssumeRoleCommand).resolves(assumedRole('ASIACN', new Date('2024-10-21T13:00:00Z')));
      const directories = factory({ remediationRoleName: 'KmsGuardRemediation', sts });

      directories.forKey(keyIn(MEMBER_ACCOUNT, 'cn-north-1', 'aws-cn'));
      await credentialsOf(configs[0] ?? {});

      expect(stsMock.commandCalls(AssumeRoleCommand)[0]?.args[0].input.RoleArn).toBe('arn:aws-cn:iam::444455556666:role/KmsGuardRemediation');
    });

    it('reuses the assumed credentials across Regions until shortly before they expire', async () => {
      stsMock
        .on(AssumeRoleCommand)
        .resolvesOnce(assumedRole('ASIAFIRST', new Date('2024-10-21T13:00:00Z')))
        .resolvesOnce(assumedRole('ASIASECOND', new Date('2024-10-21T14:00:00Z')));
      const directories = factory({ remediationRoleName: 'KmsGuardRemediation', sts });
      directories.forAccountRegion(MEMBER_ACCOUNT, 'us-east-1');
      directories.forAccountRegion(MEMBER_ACCOUNT, 'us-west-2');

      const first = await credentialsOf(configs[0] ?? {});
      const otherRegion = await credentialsOf(configs[1] ?? {});
      now = new Date('2024-10-21T12:56:00Z'); // within the 5-minute refresh margin
      const nearExpiry = await credentialsOf(configs[0] ?? {});
      const afterRefresh = await credentialsOf(configs[1] ?? {});

      expect([first, otherRegion, nearExpiry, afterRefresh].map((credentials) => credentials.accessKeyId)).toEqual([
        'ASIAFIRST',
        'ASIAFIRST',
        'ASIASECOND',
        'ASIASECOND',
      ]);
      expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    });

    it('shares one AssumeRole among concurrent callers', async () => {
      stsMock.on(AssumeRoleCommand).resolves(assumedRole('ASIASHARED', new Date('2024-10-21T13:00:00Z')));
      const directories = factory({ remediationRoleName: 'KmsGuardRemediation', sts });
      directories.forAccountRegion(MEMBER_ACCOUNT, 'us-east-1');

      const all = await Promise.all([1, 2, 3].map(() => credentialsOf(configs[0] ?? {})));

      expect(all.map((credentials) => credentials.accessKeyId)).toEqual(['ASIASHARED', 'ASIASHARED', 'ASIASHARED']);
      expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    });

    it('reports a failed AssumeRole as AssumeRoleError and tries again on the next call', async () => {
      stsMock
        .on(AssumeRoleCommand)
        .rejectsOnce(Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }))
        .resolves(assumedRole('ASIARETRY', new Date('2024-10-21T13:00:00Z')));
      const directories = factory({ remediationRoleName: 'KmsGuardRemediation', sts });
      directories.forKey(keyIn(MEMBER_ACCOUNT));

      const failure = await credentialsOf(configs[0] ?? {}).catch((error: unknown) => error);
      const retried = await credentialsOf(configs[0] ?? {});

      expect(failure).toBeInstanceOf(AssumeRoleError);
      expect((failure as AssumeRoleError).roleArn).toBe('arn:aws:iam::444455556666:role/KmsGuardRemediation');
      expect(retried.accessKeyId).toBe('ASIARETRY');
    });

    it('signs KMS calls with the assumed role\'s credentials', async () => {
      const fake: FakeKms = await startFakeKms();
      try {
        const keyArn = fake.createKey({ accountId: MEMBER_ACCOUNT });
        stsMock.on(AssumeRoleCommand).resolves(assumedRole('ASIAMEMBERKMS', new Date('2024-10-21T13:00:00Z')));
        const directories = factory({ remediationRoleName: 'KmsGuardRemediation', sts, clientConfig: { endpoint: fake.endpoint } });

        const facts = await directories.forKey(keyArn).describe(keyArn);

        expect(facts.keyArn).toBe(keyArn);
        expect(fake.callsOf('DescribeKey').map((call) => call.accessKeyId)).toEqual(['ASIAMEMBERKMS']);
      } finally {
        await fake.close();
      }
    });
  });

  describe('input it cannot use', () => {
    it('rejects a string that is not a KMS key ARN', () => {
      const directories = factory();

      expect(() => directories.forKey('alias/payments')).toThrow(InvalidKeyArnError);
    });

    it('refuses org mode without an STS client', () => {
      expect(() => factory({ remediationRoleName: 'KmsGuardRemediation' })).toThrow(ConfigError);
    });
  });
});
