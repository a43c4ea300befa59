/** Alerts: key policies, a disable that breaks two workloads, and the CloudHSM key store. */
import { admin, iacDeployer, workload } from './actors.js';
import type { CloudTrailRecord } from './cloudtrail-record.js';
import { born, decryptsOn, range } from './history.js';
import { NODE_AGENT, PYTHON_AGENT, roleArn } from './identities.js';
import { ACCOUNT, KEYS } from './ids.js';
import { consolePolicy, decrypt, disableKey, putKeyPolicy, rootStatement } from './kms-records.js';
import {
  connectCustomKeyStore,
  createCluster,
  createCustomKeyStore,
  createHsm,
  deleteHsm,
  disconnectCustomKeyStore,
  initializeCluster,
} from './other-records.js';
import { daysBefore as D, plusMinutes } from './time.js';

/** The account root is gone from the policy, and the caller bypassed the lockout safety check. */
const policyLockout = (): CloudTrailRecord[] => {
  const key = KEYS.policyLockout;
  const at = D(8, '15:15:15');
  const policy = consolePolicy('key-consolepolicy-3', [
    { Sid: 'Allow key administrators', Effect: 'Allow', Principal: { AWS: roleArn(ACCOUNT, 'app-admin') }, Action: 'kms:*', Resource: '*' },
    {
      Sid: 'Allow use of the key',
      Effect: 'Allow',
      Principal: { AWS: roleArn(ACCOUNT, 'payments-api') },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: '*',
    },
  ]);
  return [...born(key, D(90, '10:00:00'), iacDeployer), putKeyPolicy({ key, step: 'put-key-policy', at, actor: admin(at) }, policy, true)];
};

/** Principal "*" with no Condition: anyone may decrypt. */
const publicKeyPolicy = (): CloudTrailRecord[] => {
  const key = KEYS.publicKeyPolicy;
  const at = D(6, '11:11:00');
  const policy = consolePolicy('key-consolepolicy-3', [
    rootStatement(ACCOUNT),
    { Sid: 'Allow partners to decrypt', Effect: 'Allow', Principal: '*', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: '*' },
  ]);
  return [...born(key, D(60, '10:00:00'), iacDeployer), putKeyPolicy({ key, step: 'put-key-policy', at, actor: admin(at) }, policy, false)];
};

/** Principal "*" restricted by kms:CallerAccount and kms:ViaService (the AWS-managed key pattern): no alert. */
const restrictedPolicy = (): CloudTrailRecord[] => {
  const key = KEYS.restrictedPolicy;
  const at = D(7, '11:30:00');
  const policy = consolePolicy('auto-secretsmanager-2', [
    rootStatement(ACCOUNT),
    {
      Sid: 'Allow access through AWS Secrets Manager for all principals in the account that are authorized to use AWS Secrets Manager',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
    },
  ]);
  return [...born(key, D(70, '10:00:00'), iacDeployer), putKeyPolicy({ key, step: 'put-key-policy', at, actor: admin(at) }, policy, false)];
};

const checkout = workload('checkout-api', 'checkout-api-task', NODE_AGENT);
const fraud = workload('fraud-scoring', 'fraud-scoring-worker', PYTHON_AGENT);

/** The incident day and after: DisableKey, then both workloads fail (and retry). Also exported as JSON Lines. */
export const disableIncident = (): CloudTrailRecord[] => {
  const key = KEYS.disabledInUse;
  const failures = [
    ['checkout-failure-1', D(2, '14:03:12'), checkout],
    ['fraud-failure-1', D(2, '14:04:40'), fraud],
    ['checkout-failure-2', plusMinutes(D(2, '14:03:12'), 5), checkout],
    ['fraud-failure-2', plusMinutes(D(2, '14:04:40'), 5), fraud],
    ['checkout-failure-3', D(1, '09:15:00'), checkout],
    ['fraud-failure-3', D(1, '09:20:00'), fraud],
  ] as const;
  return [
    disableKey({ key, step: 'disable', at: D(2, '14:00:00'), actor: admin(D(2, '14:00:00')) }),
    ...failures.map(([step, at, actor]) => decrypt({ key, step, at, actor: actor(at) }, { failure: 'disabled' })),
  ];
};

/** A key both workloads use every day, disabled by hand. */
const disabledInUse = (): CloudTrailRecord[] => {
  const key = KEYS.disabledInUse;
  return [
    ...born(key, D(120, '10:00:00'), iacDeployer),
    ...decryptsOn(key, range(30, 2), '09:15:00', checkout, {}, 'checkout-use'),
    ...decryptsOn(key, range(30, 2), '09:20:00', fraud, {}, 'fraud-use'),
    ...disableIncident(),
  ];
};

/** The CloudHSM cluster behind the custom key store: two HSMs, then one deleted; then the store is disconnected. */
const customKeyStore = (): CloudTrailRecord[] => {
  const call = (label: string, at: string) => ({ label, at, actor: admin(at) });
  return [
    createCluster(call('cloudhsm/create-cluster', D(250, '09:00:00'))),
    createHsm(call('cloudhsm/create-hsm-1', D(250, '09:20:00')), 0),
    createHsm(call('cloudhsm/create-hsm-2', D(250, '09:21:10')), 1),
    initializeCluster(call('cloudhsm/initialize-cluster', D(250, '11:00:00'))),
    createCustomKeyStore(call('custom-key-store/create', D(249, '10:00:00'))),
    connectCustomKeyStore(call('custom-key-store/connect', D(249, '10:05:00'))),
    deleteHsm(call('cloudhsm/delete-hsm', D(4, '16:20:00')), 1),
    disconnectCustomKeyStore(call('custom-key-store/disconnect', D(1, '09:45:00'))),
  ];
};

export const alertScenarios = (): CloudTrailRecord[] => [
  ...policyLockout(),
  ...publicKeyPolicy(),
  ...restrictedPolicy(),
  ...disabledInUse(),
  ...customKeyStore(),
];
