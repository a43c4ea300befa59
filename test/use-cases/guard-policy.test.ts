/** The policy guard end to end on DynamoDB Local: real stores, real CloudTrail samples through the real ingest. */
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCustomKeyStoreRegistry } from '../../lib/adapters/dynamodb-custom-key-store-registry.js';
import { DynamoDbDecisionStore } from '../../lib/adapters/dynamodb-decision-store.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { DEFAULT_POLICY } from '../../lib/config.js';
import type { CustomKeyStoreRegistry, StoreScope } from '../../lib/domain/alerts/custom-key-store-registry.js';
import type { KmsEvent } from '../../lib/domain/kms-event.js';
import type { Decision } from '../../lib/domain/model.js';
import { guardPolicy, type GuardPolicyDeps } from '../../lib/use-cases/guard-policy.js';
import { cksRecord, DISABLE_KEY_2026, eventFrom, PUBLIC_POLICY, PUT_KEY_POLICY, RESTRICTED_POLICY, sampleEvent, sampleWith } from '../domain/alerts/samples.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';

const KEY_2026 = 'arn:aws:kms:us-east-1:715248393954:key/55487ec5-4c6b-4c87-80e5-3cfa8bcfc271';
const published: Decision[] = [];
let deps: GuardPolicyDeps & { usage: DynamoDbUsageStore };

beforeAll(async () => {
  const documents = dynamoTestClient();
  const table = await createTestTable(documents);
  deps = {
    usage: new DynamoDbUsageStore(documents, table),
    decisions: new DynamoDbDecisionStore(documents, table),
    customKeyStores: new DynamoDbCustomKeyStoreRegistry(documents, table),
    publisher: { publish: async (decisions) => void published.push(...decisions) },
    policy: DEFAULT_POLICY,
    mode: 'enforce',
    clock: { now: () => new Date('2026-05-18T06:00:00Z') },
  };
});

/** As the handler does: record the event, then guard. */
const handle = async (event: KmsEvent): Promise<Decision[]> => {
  await deps.usage.record([event]);
  return guardPolicy(deps, event);
};

/** A call on the 2026 lab key, derived from its real DisableKey record. */
const onLabKey = (eventName: string, eventTime: string, eventID: string, extra: Record<string, unknown> = {}): KmsEvent =>
  sampleWith(DISABLE_KEY_2026, (record) => {
    Object.assign(record, { eventName, eventTime, eventID, responseElements: null, ...extra });
  });
const workload = (role: string) => ({
  type: 'AssumedRole',
  arn: `arn:aws:sts::715248393954:assumed-role/${role}/session`,
  accountId: '715248393954',
  sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::715248393954:role/${role}`, accountId: '715248393954', userName: role } },
});

describe('the policy guard on key policies', () => {
  it('alerts once on a public policy, however often the event is delivered', async () => {
    const event = sampleWith(PUT_KEY_POLICY, (record) => {
      record.eventID = 'public-policy-1';
      record.requestParameters = {
        keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
        policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }, { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }] }),
      };
    });
    const first = await handle(event);
    const again = await handle(event);
    expect(first.map((decision) => [decision.action, decision.reasons, decision.decisionId])).toEqual([['alert', ['public-key-policy'], 'public-policy-1']]);
    expect(first[0]).toMatchObject({ keyArn: 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', actor: 'arn:aws:iam::111122223333:user/Alice', outcome: [] });
    expect(again).toEqual([]);
    expect(await deps.decisions.get('public-policy-1')).toMatchObject({ reasons: ['public-key-policy'] });
  });

  it('alerts on a ReplicateKey that bypasses the lockout check with a policy locking the account out, naming the replica', async () => {
    const replica = 'arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';
    const event = sampleWith(PUT_KEY_POLICY, (record) => {
      Object.assign(record, {
        eventName: 'ReplicateKey',
        eventID: 'replicate-lockout-1',
        requestParameters: {
          keyId: 'mrk-1234abcd12ab34cd56ef1234567890ab',
          replicaRegion: 'eu-west-1',
          bypassPolicyLockoutSafetyCheck: true,
          policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/Intruder' }, Action: 'kms:*', Resource: '*' }] }),
        },
        responseElements: { replicaKeyMetadata: { arn: replica, keyId: 'mrk-1234abcd12ab34cd56ef1234567890ab' } },
        resources: null,
      });
    });

    const [alert] = await handle(event);

    expect(alert).toMatchObject({ action: 'alert', keyArn: replica, reasons: ['policy-lockout', 'lockout-check-bypassed'] });
  });

  it('raises nothing for the documented default policy and the restricted-access sample', async () => {
    expect(await handle(sampleEvent(PUT_KEY_POLICY))).toEqual([]);
    expect(await handle(sampleEvent(RESTRICTED_POLICY))).toEqual([]);
  });

  it('still alerts lockout and public on the panther sample that names no key, under a key ARN no real key can have, saying why', async () => {
    const [alert] = await handle(sampleEvent(PUBLIC_POLICY));
    expect(alert?.reasons).toEqual(['policy-lockout', 'public-key-policy']);
    expect(alert?.keyArn).toMatch(/:key\/\(unresolved\)$/);
    expect(alert?.evidence.unresolvedKey).toBe('resources[]: none');
  });
});

describe('the policy guard on disables', () => {
  it('alerts when a key used last week is disabled, with the top callers', async () => {
    await deps.usage.record([
      onLabKey('Decrypt', '2026-05-11T09:00:00Z', 'lab-decrypt-1', { userIdentity: workload('orders-api'), readOnly: true }),
      onLabKey('Decrypt', '2026-05-12T09:00:00Z', 'lab-decrypt-2', { userIdentity: workload('orders-api'), readOnly: true }),
    ]);
    const [alert] = await handle(sampleEvent(DISABLE_KEY_2026));
    expect(alert).toMatchObject({ decisionId: '2f71316e-829b-4816-9202-797c00ffdf53', keyArn: KEY_2026, reasons: ['disabled-in-use'] });
    expect(alert?.evidence.lastUsedAt).toBe('2026-05-12T09:00:00.000Z');
    expect(alert?.evidence.topCallers).toEqual([expect.objectContaining({ id: 'arn:aws:iam::715248393954:role/orders-api', count: 2 })]);
  });

  it('stays quiet when the disabled key had no recent use', async () => {
    const event = sampleWith(DISABLE_KEY_2026, (record) => {
      record.eventID = 'disable-unused';
      record.requestParameters = { keyId: 'aaaaaaaa-4c6b-4c87-80e5-3cfa8bcfc271' };
      record.resources = [{ accountId: '715248393954', type: 'AWS::KMS::Key', ARN: 'arn:aws:kms:us-east-1:715248393954:key/aaaaaaaa-4c6b-4c87-80e5-3cfa8bcfc271' }];
      record.responseElements = null;
    });
    expect(await handle(event)).toEqual([]);
  });

  it('alerts once per workload that breaks in a disable period, naming every broken workload so far', async () => {
    const failure = (eventID: string, eventTime: string, role: string) =>
      onLabKey('Decrypt', eventTime, eventID, { userIdentity: workload(role), errorCode: 'DisabledException', errorMessage: `${KEY_2026} is disabled.` });
    const orders = 'arn:aws:iam::715248393954:role/orders-api';
    const billing = 'arn:aws:iam::715248393954:role/billing-worker';
    const first = await handle(failure('fail-1', '2026-05-18T05:50:00Z', 'orders-api'));
    const retry = await handle(failure('fail-1b', '2026-05-18T05:51:00Z', 'orders-api'));
    const second = await handle(failure('fail-2', '2026-05-18T05:55:00Z', 'billing-worker'));
    expect(first.map((decision) => decision.decisionId)).toEqual([`disabled-use#${KEY_2026}#2026-05-18T05:41:19.000Z#${orders}`]);
    expect(first[0]?.evidence).toMatchObject({ disabledAt: '2026-05-18T05:41:19.000Z', brokenCallers: [orders] });
    expect(retry).toEqual([]);
    expect(second.map((decision) => decision.decisionId)).toEqual([`disabled-use#${KEY_2026}#2026-05-18T05:41:19.000Z#${billing}`]);
    expect(second[0]?.evidence).toMatchObject({ brokenCallers: expect.arrayContaining([orders, billing]) });

    await handle(onLabKey('EnableKey', '2026-05-18T07:00:00Z', 'enable-1'));
    await handle(onLabKey('DisableKey', '2026-05-18T08:00:00Z', 'disable-2'));
    const next = await handle(failure('fail-3', '2026-05-18T08:10:00Z', 'billing-worker'));
    expect(next.map((decision) => decision.decisionId)).toEqual([`disabled-use#${KEY_2026}#2026-05-18T08:00:00.000Z#${billing}`]);
  });

  it('leaves a pending-deletion DisabledException to the deletion guard', async () => {
    const pending = onLabKey('Decrypt', '2026-05-18T05:58:00Z', 'fail-pending', { errorCode: 'DisabledException', errorMessage: `${KEY_2026} is pending deletion.` });
    expect(await guardPolicy(deps, pending)).toEqual([]);
  });
});

describe('the policy guard on HSM-backed key stores', () => {
  const cks = (eventName: string, eventID: string, eventTime: string, requestParameters: Record<string, unknown>, responseElements: unknown = null) =>
    eventFrom(cksRecord(eventName, requestParameters, { eventID, eventTime, responseElements }));

  it('follows a store from creation to an update while connected, a disconnect, and an HSM deletion that leaves one', async () => {
    const quiet = [
      cks('CreateCustomKeyStore', 'cks-create', '2024-05-01T10:00:00Z', { customKeyStoreName: 'ExampleKeyStore', clusterId: 'cluster-1a23b4cdefg', trustAnchorCertificate: '<certificate>', keyStorePassword: 'HIDDEN_DUE_TO_SECURITY_REASONS' }, { customKeyStoreId: 'cks-1234567890abcdef0' }),
      cks('CreateHsm', 'hsm-create-1', '2024-05-01T10:05:00Z', { clusterId: 'cluster-1a23b4cdefg', availabilityZone: 'us-west-2a' }, { hsm: { hsmId: 'hsm-aaa', clusterId: 'cluster-1a23b4cdefg', state: 'CREATE_IN_PROGRESS' } }),
      cks('CreateHsm', 'hsm-create-2', '2024-05-01T10:06:00Z', { clusterId: 'cluster-1a23b4cdefg', availabilityZone: 'us-west-2b' }, { hsm: { hsmId: 'hsm-bbb', clusterId: 'cluster-1a23b4cdefg', state: 'CREATE_IN_PROGRESS' } }),
      cks('ConnectCustomKeyStore', 'cks-connect', '2024-05-01T11:00:00Z', { customKeyStoreId: 'cks-1234567890abcdef0' }),
    ];
    for (const event of quiet) expect(await handle(event), event.eventName).toEqual([]);

    const [update] = await handle(cks('UpdateCustomKeyStore', 'cks-update', '2024-05-02T09:00:00Z', { customKeyStoreId: 'cks-1234567890abcdef0', newCustomKeyStoreName: 'Renamed' }));
    expect(update).toMatchObject({
      keyArn: 'arn:aws:kms:us-west-2:111122223333:custom-key-store/cks-1234567890abcdef0',
      reasons: ['custom-key-store'],
      evidence: { change: 'updated-while-connected', cloudHsmClusterId: 'cluster-1a23b4cdefg' },
    });

    const [disconnect] = await handle(cks('DisconnectCustomKeyStore', 'cks-disconnect', '2024-05-02T10:00:00Z', { customKeyStoreId: 'cks-1234567890abcdef0' }));
    expect(disconnect?.evidence).toMatchObject({ change: 'disconnected', connectionStateBefore: 'CONNECTING' });

    const updatedWhileDisconnected = await handle(cks('UpdateCustomKeyStore', 'cks-update-2', '2024-05-02T11:00:00Z', { customKeyStoreId: 'cks-1234567890abcdef0', keyStorePassword: 'HIDDEN_DUE_TO_SECURITY_REASONS' }));
    expect(updatedWhileDisconnected).toEqual([]);

    const [hsm] = await handle(cks('DeleteHsm', 'hsm-delete-1', '2024-05-03T10:00:00Z', { clusterId: 'cluster-1a23b4cdefg', hsmId: 'hsm-aaa' }, { hsmId: 'hsm-aaa' }));
    expect(hsm).toMatchObject({
      decisionId: 'hsm-delete-1#cks-1234567890abcdef0',
      reasons: ['custom-key-store', 'hsm-count-below-two'],
      evidence: { activeHsms: 1, deletedHsmId: 'hsm-aaa', cloudHsmClusterId: 'cluster-1a23b4cdefg' },
    });
  });

  it('stays quiet when a DeleteHsm leaves two HSMs, or hits a cluster behind no store', async () => {
    const events = [
      cks('CreateCustomKeyStore', 'cks2-create', '2024-06-01T10:00:00Z', { cloudHsmClusterId: 'cluster-three' }, { customKeyStoreId: 'cks-three' }),
      ...['h1', 'h2', 'h3'].map((hsmId, index) => cks('CreateHsm', `cks2-hsm-${hsmId}`, `2024-06-01T10:0${index + 1}:00Z`, { clusterId: 'cluster-three' }, { hsm: { hsmId } })),
    ];
    for (const event of events) await handle(event);
    expect(await handle(cks('DeleteHsm', 'cks2-delete', '2024-06-02T10:00:00Z', { clusterId: 'cluster-three', hsmId: 'h1' }))).toEqual([]);
    expect(await handle(cks('DeleteHsm', 'lonely-delete', '2024-06-02T10:00:00Z', { clusterId: 'cluster-no-store', hsmId: 'x' }))).toEqual([]);
  });
});

describe('the policy guard on a member account\'s key stores', () => {
  it('asks about the store and the cluster in the account and Region whose trail logged the call', async () => {
    const asked: { question: string; scope: StoreScope | undefined }[] = [];
    const ledger = deps.customKeyStores;
    const spy: CustomKeyStoreRegistry = {
      observe: (event) => ledger.observe(event),
      store: (id, scope) => (asked.push({ question: `store ${id}`, scope }), ledger.store(id, scope)),
      storesBackedBy: (id, scope) => (asked.push({ question: `stores of ${id}`, scope }), ledger.storesBackedBy(id, scope)),
      activeHsmCount: async (id, scope) => (asked.push({ question: `HSMs of ${id}`, scope }), 1),
    };
    const member = { recipientAccountId: '444455556666', awsRegion: 'eu-central-1' };
    const cks = (eventName: string, eventID: string, requestParameters: Record<string, unknown>, responseElements: unknown = null) =>
      eventFrom(cksRecord(eventName, requestParameters, { eventID, eventTime: '2024-07-01T10:00:00Z', responseElements, ...member }));

    await guardPolicy({ ...deps, customKeyStores: spy }, cks('CreateCustomKeyStore', 'm-create', { cloudHsmClusterId: 'cluster-member' }, { customKeyStoreId: 'cks-member' }));
    const [alert] = await guardPolicy({ ...deps, customKeyStores: spy }, cks('DeleteHsm', 'm-delete', { clusterId: 'cluster-member', hsmId: 'h1' }));

    const scope = { accountId: '444455556666', region: 'eu-central-1' };
    expect(asked).toEqual([
      { question: 'store cks-member', scope },
      { question: 'stores of cluster-member', scope },
      { question: 'HSMs of cluster-member', scope },
    ]);
    expect(alert).toMatchObject({ keyArn: 'arn:aws:kms:eu-central-1:444455556666:custom-key-store/cks-member', reasons: ['custom-key-store', 'hsm-count-below-two'] });
  });
});

describe('the policy guard in dry-run', () => {
  it('still alerts (alerts make no KMS call) and marks the decision dry-run', async () => {
    const event = sampleWith(PUT_KEY_POLICY, (record) => {
      record.eventID = 'dry-run-bypass';
      (record.requestParameters as Record<string, unknown>).bypassPolicyLockoutSafetyCheck = true;
    });
    const [alert] = await guardPolicy({ ...deps, mode: 'dry-run' }, event);
    expect(alert).toMatchObject({ reasons: ['lockout-check-bypassed'], dryRun: true });
    expect(alert?.outcome).toBeUndefined();
  });
});

