import type { CloudHSMV2Client, DescribeClustersCommand } from '@aws-sdk/client-cloudhsm-v2';
import { CustomKeyStoreNotFoundException, DescribeCustomKeyStoresCommand, KMSClient } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { type ClusterDescriber, LiveCustomKeyStoreRegistry } from '../../lib/adapters/custom-key-store-live-registry.js';
import { scopedCustomKeyStoreClients } from '../../lib/adapters/custom-key-store-clients.js';
import { DynamoDbCustomKeyStoreRegistry } from '../../lib/adapters/dynamodb-custom-key-store-registry.js';
import { KmsDirectoryFactory, OrgModeNotConfiguredError } from '../../lib/adapters/kms-directory-factory.js';
import { cksRecord, eventFrom } from '../domain/alerts/samples.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';

const cks = (eventName: string, eventID: string, eventTime: string, requestParameters: Record<string, unknown>, responseElements: unknown = null) =>
  eventFrom(cksRecord(eventName, requestParameters, { eventID, eventTime, responseElements }));
let registry: DynamoDbCustomKeyStoreRegistry;

beforeAll(async () => {
  const documents = dynamoTestClient();
  registry = new DynamoDbCustomKeyStoreRegistry(documents, await createTestTable(documents));
});

describe('the custom key store ledger on DynamoDB Local', () => {
  it('links a store to its cluster and follows its connection state', async () => {
    await registry.observe(cks('CreateCustomKeyStore', 'c1', '2024-05-01T10:00:00Z', { clusterId: 'cluster-a' }, { customKeyStoreId: 'cks-a' }));
    await registry.observe(cks('ConnectCustomKeyStore', 'c2', '2024-05-01T11:00:00Z', { customKeyStoreId: 'cks-a' }));
    expect(await registry.store('cks-a')).toEqual({ customKeyStoreId: 'cks-a', cloudHsmClusterId: 'cluster-a', connectionState: 'CONNECTING', customKeyStoreType: 'AWS_CLOUDHSM' });
    expect((await registry.storesBackedBy('cluster-a')).map((store) => store.customKeyStoreId)).toEqual(['cks-a']);
  });

  it('keeps the newest state when events arrive late or twice', async () => {
    const disconnect = cks('DisconnectCustomKeyStore', 'c3', '2024-05-02T10:00:00Z', { customKeyStoreId: 'cks-a' });
    await registry.observe(disconnect);
    await registry.observe(cks('ConnectCustomKeyStore', 'c2-late', '2024-05-01T12:00:00Z', { customKeyStoreId: 'cks-a' }));
    await registry.observe(disconnect);
    expect((await registry.store('cks-a'))?.connectionState).toBe('DISCONNECTED');
  });

  it('forgets a deleted store as a backer of its cluster', async () => {
    await registry.observe(cks('CreateCustomKeyStore', 'd1', '2024-05-01T10:00:00Z', { clusterId: 'cluster-d' }, { customKeyStoreId: 'cks-d' }));
    await registry.observe(cks('DeleteCustomKeyStore', 'd2', '2024-05-03T10:00:00Z', { customKeyStoreId: 'cks-d' }));
    expect(await registry.storesBackedBy('cluster-d')).toEqual([]);
  });

  it('counts HSMs from CreateHsm and DeleteHsm, by id or by ENI IP, and does not count what it never saw created', async () => {
    expect(await registry.activeHsmCount('cluster-h')).toBeUndefined();
    await registry.observe(cks('CreateHsm', 'h1', '2024-05-01T10:00:00Z', { clusterId: 'cluster-h' }, { hsm: { hsmId: 'hsm-1', eniIp: '10.0.0.1' } }));
    await registry.observe(cks('CreateHsm', 'h2', '2024-05-01T10:01:00Z', { clusterId: 'cluster-h' }, { hsm: { hsmId: 'hsm-2', eniIp: '10.0.0.2' } }));
    await registry.observe(cks('CreateHsm', 'h3', '2024-05-01T10:02:00Z', { clusterId: 'cluster-h' }, { hsm: { hsmId: 'hsm-3', eniIp: '10.0.0.3' } }));
    expect(await registry.activeHsmCount('cluster-h')).toBe(3);
    await registry.observe(cks('DeleteHsm', 'h4', '2024-05-02T10:00:00Z', { clusterId: 'cluster-h', hsmId: 'hsm-1' }));
    await registry.observe(cks('DeleteHsm', 'h5', '2024-05-02T11:00:00Z', { clusterId: 'cluster-h', eniIp: '10.0.0.2' }));
    expect(await registry.activeHsmCount('cluster-h')).toBe(1);
  });

  it('ignores failed calls', async () => {
    await registry.observe(eventFrom(cksRecord('CreateHsm', { clusterId: 'cluster-f' }, { eventID: 'f1', errorCode: 'CloudHsmAccessDeniedException', errorMessage: 'no', responseElements: { hsm: { hsmId: 'hsm-f' } } })));
    expect(await registry.activeHsmCount('cluster-f')).toBeUndefined();
  });
});

describe('the live custom key store registry', () => {
  const kms = mockClient(KMSClient);
  afterEach(() => kms.reset());
  /** CloudHSM at the SDK boundary: the request it was sent, and the answer it gives. */
  const sent: DescribeClustersCommand[] = [];
  const cloudHsm = {
    send: async (command: DescribeClustersCommand) => {
      sent.push(command);
      return { $metadata: {}, Clusters: [{ ClusterId: 'cluster-x', Hsms: [{ HsmId: 'a', State: 'ACTIVE' as const }, { HsmId: 'b', State: 'DELETE_IN_PROGRESS' as const }, { HsmId: 'c', State: 'DEGRADED' as const }] }] };
    },
  };
  const live = () => new LiveCustomKeyStoreRegistry(() => ({ kms: new KMSClient({ region: 'us-west-2' }), cloudHsm }), registry);

  it('accepts the real CloudHSM client as its ClusterDescriber (checked by the typecheck)', () => {
    expectTypeOf<CloudHSMV2Client>().toExtend<ClusterDescriber>();
  });

  it('asks KMS for the connection state, and falls back on the ledger for a store KMS no longer knows', async () => {
    kms.on(DescribeCustomKeyStoresCommand, { CustomKeyStoreId: 'cks-live' }).resolves({ CustomKeyStores: [{ CustomKeyStoreId: 'cks-live', CloudHsmClusterId: 'cluster-l', ConnectionState: 'CONNECTED' }] });
    kms.on(DescribeCustomKeyStoresCommand, { CustomKeyStoreId: 'cks-a' }).rejects(new CustomKeyStoreNotFoundException({ message: 'gone', $metadata: {} }));
    expect(await live().store('cks-live')).toEqual({ customKeyStoreId: 'cks-live', cloudHsmClusterId: 'cluster-l', connectionState: 'CONNECTED' });
    expect((await live().store('cks-a'))?.connectionState).toBe('DISCONNECTED');
  });

  it('maps a cluster to its stores across DescribeCustomKeyStores pages', async () => {
    kms.on(DescribeCustomKeyStoresCommand)
      .resolvesOnce({ CustomKeyStores: [{ CustomKeyStoreId: 'cks-1', CloudHsmClusterId: 'cluster-x' }], Truncated: true, NextMarker: 'm' })
      .resolves({ CustomKeyStores: [{ CustomKeyStoreId: 'cks-2', CloudHsmClusterId: 'cluster-y' }, { CustomKeyStoreId: 'cks-3', CloudHsmClusterId: 'cluster-x' }], Truncated: false });
    expect((await live().storesBackedBy('cluster-x')).map((store) => store.customKeyStoreId)).toEqual(['cks-1', 'cks-3']);
  });

  it('counts the HSMs CloudHSM still runs, not those being deleted', async () => {
    expect(await live().activeHsmCount('cluster-x')).toBe(2);
    expect(sent[0]?.input).toEqual({ Filters: { clusterIds: ['cluster-x'] } });
    expect(await live().activeHsmCount('cluster-unknown')).toBeUndefined();
  });
});

describe('the live custom key store registry in org mode', () => {
  const sts = mockClient(STSClient);
  afterEach(() => sts.reset());
  const guardAccount = '111111111111';
  const member = '222222222222';
  /** The clients it builds: their Region and the credentials they would sign with. */
  const built: { kind: string; region: string; credentials?: () => Promise<{ accessKeyId: string }> }[] = [];
  const clientsWith = (remediationRoleName: string | undefined) => {
    const accounts = new KmsDirectoryFactory({ guardAccountId: guardAccount, remediationRoleName, sts: new STSClient({ region: 'eu-west-1' }) });
    return scopedCustomKeyStoreClients({
      region: 'eu-west-1',
      guardAccountId: guardAccount,
      credentialsFor: (accountId, region) => accounts.credentialsFor(accountId, region),
      createKmsClient: (config) => {
        built.push({ kind: 'kms', region: String(config.region), ...(config.credentials === undefined ? {} : { credentials: config.credentials as () => Promise<{ accessKeyId: string }> }) });
        return new KMSClient({ region: 'eu-west-1' });
      },
      createCloudHsmClient: (config) => {
        built.push({ kind: 'cloudhsm', region: config.region, ...(config.credentials === undefined ? {} : { credentials: config.credentials }) });
        return { send: async () => ({ $metadata: {}, Clusters: [{ ClusterId: 'cluster-m', Hsms: [{ HsmId: 'a', State: 'ACTIVE' as const }] }] }) };
      },
    });
  };

  it('asks about a member account\'s cluster with the remediation role assumed in that account and Region', async () => {
    built.length = 0;
    sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIAMEMBER', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3_600_000) } });
    const live = new LiveCustomKeyStoreRegistry(clientsWith('kms-guard-remediation'), registry);

    expect(await live.activeHsmCount('cluster-m', { accountId: member, region: 'ap-southeast-2' })).toBe(1);

    const cloudHsmClient = built.find((client) => client.kind === 'cloudhsm');
    expect(cloudHsmClient?.region).toBe('ap-southeast-2');
    expect((await cloudHsmClient?.credentials?.())?.accessKeyId).toBe('ASIAMEMBER');
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input.RoleArn).toBe(`arn:aws:iam::${member}:role/kms-guard-remediation`);
  });

  it('uses the function\'s own credentials in the guard\'s account, and refuses a member account without a remediation role', async () => {
    built.length = 0;
    const own = clientsWith(undefined);
    own({ accountId: guardAccount, region: 'eu-west-1' });
    expect(built.map((client) => [client.kind, client.region, client.credentials])).toEqual([['kms', 'eu-west-1', undefined], ['cloudhsm', 'eu-west-1', undefined]]);
    expect(() => own({ accountId: member, region: 'eu-west-1' })).toThrow(OrgModeNotConfiguredError);
  });
});
