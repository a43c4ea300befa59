/**
 * Keys scheduled for deletion, one per rule of the deletion guard: each history makes exactly one rule decisive
 * at its ScheduleKeyDeletion (README.md lists what the guard must decide).
 */
import { admin, iacDeployer, platformOps, secondAccountAdmin, via, workload } from './actors.js';
import { born, decryptsOn, range } from './history.js';
import type { CloudTrailRecord } from './cloudtrail-record.js';
import { JAVA_AGENT, NODE_AGENT, PYTHON_AGENT, type Actor } from './identities.js';
import { ACCOUNT, CUSTOM_KEY_STORE, KEYS, REPLICA_REGION, aliasOf, type ScenarioKey } from './ids.js';
import {
  createAlias,
  decrypt,
  disableKey,
  generateDataKey,
  getPublicKey,
  replicateKey,
  scheduleKeyDeletion,
  tagResource,
} from './kms-records.js';
import { assumeRoleByService, s3GetObject } from './other-records.js';
import { ebsAttach } from './ebs.js';
import { daysBefore as D, plusMinutes } from './time.js';

const schedule = (key: ScenarioKey, at: string, actor: (at: string) => Actor, options: Parameters<typeof scheduleKeyDeletion>[1]) =>
  scheduleKeyDeletion({ key, step: 'schedule', at, actor: actor(at) }, options);

/** Rule 1: old use only (the schedule alone would alert), then a workload fails on the pending key: cancel at the failure. */
const useWhilePendingDeletion = (): CloudTrailRecord[] => {
  const key = KEYS.useWhilePendingDeletion;
  const archiver = workload('invoice-archiver', 'i-0a7c3e5b9d1f24680', JAVA_AGENT);
  const context = { encryptionContext: { app: 'invoice-archiver', purpose: 'archive-index' } };
  return [
    ...born(key, D(320, '10:02:11'), iacDeployer),
    ...decryptsOn(key, [260, 230, 200], '02:15:40', archiver, context),
    schedule(key, D(12, '09:14:05'), admin, { keyIdTyped: 'id', pendingWindowInDays: 30 }),
    // The archiver retries: three failures, one cancellation.
    ...[1, 2, 3].map((attempt) => {
      const at = plusMinutes(D(12, '15:02:31'), (attempt - 1) * 5);
      return decrypt({ key, step: `pending-deletion-failure-${attempt}`, at, actor: archiver(at) }, { ...context, failure: 'pending-deletion' });
    }),
  ];
};

/**
 * Rule 2: recent use, but the key's owners (platform-ops) tagged it kms-guard:allow-deletion=true a day before an
 * administrator scheduled it: set well before the scheduling, by someone else, the tag counts.
 */
const exemptTag = (): CloudTrailRecord[] => {
  const key = KEYS.exemptTag;
  const at = D(4, '11:05:44');
  return [
    ...born(key, D(150, '14:20:00'), iacDeployer, { tags: { team: 'data-platform' } }),
    ...decryptsOn(key, range(48, 6, 7), '03:30:12', workload('legacy-etl', 'etl-run', PYTHON_AGENT)),
    tagResource({ key, step: 'tag-allow-deletion', at, actor: platformOps(at) }, { 'kms-guard:allow-deletion': 'true' }),
    schedule(key, D(3, '11:09:02'), admin, { keyIdTyped: 'arn', pendingWindowInDays: 30 }),
  ];
};

/**
 * The one-step bypass: the administrator tags kms-guard:allow-deletion=true four minutes before scheduling the deletion
 * of a key in daily use. The tag is ignored (exempt-tag-ignored) and the key is judged on its use: cancel.
 */
const exemptTagJustSet = (): CloudTrailRecord[] => {
  const key = KEYS.exemptTagJustSet;
  const at = D(2, '10:00:13');
  return [
    ...born(key, D(90, '09:00:00'), iacDeployer, { tags: { team: 'payments' } }),
    ...decryptsOn(key, range(60, 3, 1), '08:15:30', workload('payments-api', 'pay-run', NODE_AGENT)),
    tagResource({ key, step: 'tag-allow-deletion', at, actor: admin(at) }, { 'kms-guard:allow-deletion': 'true' }),
    schedule(key, D(2, '10:04:29'), admin, { keyIdTyped: 'id', pendingWindowInDays: 30 }),
  ];
};

/** Rule 2b: recent use, but scheduled by the IaC deployer (terraform destroy). */
const exemptPrincipal = (): CloudTrailRecord[] => {
  const key = KEYS.exemptPrincipal;
  return [
    ...born(key, D(120, '16:45:10'), (at) => iacDeployer(at, 'terraform-ci-3980')),
    ...decryptsOn(key, range(40, 10, 2), '08:00:00', workload('staging-api', 'staging-api-task', NODE_AGENT)),
    schedule(key, D(9, '17:30:26'), (at) => iacDeployer(at, 'terraform-ci-4471'), { keyIdTyped: 'id', pendingWindowInDays: 30 }),
  ];
};

/** Rule 3: disabled 20 days before the schedule; a rare job failed on it 3 days before. Cancel, stay Disabled. */
const useWhileDisabled = (): CloudTrailRecord[] => {
  const key = KEYS.useWhileDisabled;
  const job = workload('reconciliation-job', 'ecs-task-5b1e0c2a', JAVA_AGENT);
  const jobRuns = [250, 130];
  return [
    ...born(key, D(380, '13:00:00'), iacDeployer),
    ...jobRuns.map((day) => assumeRoleByService(`${key.name}/assume/${day}`, D(day, '00:59:58'), 'reconciliation-job', 'ecs-task-5b1e0c2a', 'ecs-tasks.amazonaws.com')),
    ...decryptsOn(key, jobRuns, '01:00:07', job),
    disableKey({ key, step: 'disable', at: D(33, '10:12:40'), actor: admin(D(33, '10:12:40')) }),
    assumeRoleByService(`${key.name}/assume/16`, D(16, '00:59:58'), 'reconciliation-job', 'ecs-task-5b1e0c2a', 'ecs-tasks.amazonaws.com'),
    ...[1, 2].map((attempt) => {
      const at = plusMinutes(D(16, '01:00:05'), attempt - 1);
      return decrypt({ key, step: `disabled-failure-${attempt}`, at, actor: job(at) }, { failure: 'disabled' });
    }),
    schedule(key, D(13, '15:47:19'), admin, { keyIdTyped: 'id', pendingWindowInDays: 30 }),
  ];
};

/** Rule 4: an attached EBS volume holds an active service grant; its only Decrypt was at attach, 200 days before the schedule. */
const awsServiceGrant = (): CloudTrailRecord[] => {
  const key = KEYS.awsServiceGrant;
  return [
    ...born(key, D(260, '09:00:00'), iacDeployer),
    ...ebsAttach(key, D(205, '13:40:02'), 'vol-0b5d7e9f1a3c5e7f9', 'i-0d2f4a6c8e0b2d4f6', platformOps),
    schedule(key, D(5, '08:30:55'), admin, { keyIdTyped: 'arn', pendingWindowInDays: 30 }),
  ];
};

/** Rule 5: disabled 30 days, nothing failed: the AWS-recommended way to retire a key. */
const disabledWithoutFailures = (): CloudTrailRecord[] => {
  const key = KEYS.disabledWithoutFailures;
  return [
    ...born(key, D(300, '10:00:00'), iacDeployer),
    ...decryptsOn(key, [190, 185], '22:10:00', workload('data-migration', 'migration-batch', PYTHON_AGENT)),
    disableKey({ key, step: 'disable', at: D(44, '09:00:31'), actor: admin(D(44, '09:00:31')) }),
    schedule(key, D(14, '09:05:12'), admin, { keyIdTyped: 'id', pendingWindowInDays: 30 }),
  ];
};

/** Rule 6: daily use by the orders app through Lambda and S3 until the day before. Cancel, then EnableKey. */
const recentUse = (): CloudTrailRecord[] => {
  const key = KEYS.recentUse;
  const lambda = via('orders-api-function-role', 'orders-api', 'lambda.amazonaws.com');
  const s3 = via('orders-api-function-role', 'orders-api', 's3.amazonaws.com');
  const days = range(45, 7);
  return [
    ...born(key, D(180, '11:11:11'), iacDeployer),
    ...decryptsOn(key, days, '06:00:03', lambda, { encryptionContext: { 'aws:lambda:FunctionArn': `arn:aws:lambda:us-east-1:${ACCOUNT}:function:orders-api` } }, 'lambda-decrypt'),
    ...days.map((day) =>
      generateDataKey(
        { key, step: `s3-generate-data-key/${day}`, at: D(day, '06:05:17'), actor: s3(D(day, '06:05:17')) },
        { encryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::example-orders-exports' } },
      ),
    ),
    ...[40, 20, 8].map((day) =>
      s3GetObject(`${key.name}/s3-get/${day}`, D(day, '06:06:02'), workload('orders-api-function-role', 'orders-api', NODE_AGENT)(D(day, '06:06:02')), 'example-orders-exports', `exports/2026/${day}/orders.parquet`),
    ),
    schedule(key, D(6, '16:40:09'), admin, { keyIdTyped: 'id', pendingWindowInDays: 30 }),
  ];
};

/** Rule 6 with a Disabled key: used 10 days before, disabled 5 days before the schedule. Cancel, stay Disabled. */
const recentUseDisabledBefore = (): CloudTrailRecord[] => {
  const key = KEYS.recentUseDisabledBefore;
  return [
    ...born(key, D(200, '10:30:00'), iacDeployer),
    ...decryptsOn(key, [30, 22, 14], '07:45:00', workload('reporting-service', 'reporting-7c1d', NODE_AGENT)),
    disableKey({ key, step: 'disable', at: D(9, '12:30:00'), actor: admin(D(9, '12:30:00')) }),
    schedule(key, D(4, '12:31:45'), admin, { keyIdTyped: 'arn', pendingWindowInDays: 30 }),
  ];
};

/** Rule 7: asymmetric keys whose public key was fetched 200 days before; nothing else. */
const publicKeyExported = (): CloudTrailRecord[] => {
  const encrypt = KEYS.publicKeyExportedEncrypt;
  const sign = KEYS.publicKeyExportedSign;
  const partner = workload('partner-onboarding', 'onboarding-session', PYTHON_AGENT);
  const signer = workload('release-signing', 'release-2026-05', PYTHON_AGENT);
  return [
    ...born(encrypt, D(260, '09:45:00'), iacDeployer, { keySpec: 'RSA_2048', keyUsage: 'ENCRYPT_DECRYPT' }),
    getPublicKey({ key: encrypt, step: 'get-public-key', at: D(202, '10:10:10'), actor: partner(D(202, '10:10:10')) }, aliasOf(encrypt)),
    schedule(encrypt, D(2, '10:20:30'), admin, { keyIdTyped: 'id', pendingWindowInDays: 30 }),
    ...born(sign, D(261, '09:46:00'), iacDeployer, { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' }),
    getPublicKey({ key: sign, step: 'get-public-key', at: D(203, '10:11:12'), actor: signer(D(203, '10:11:12')) }, aliasOf(sign)),
    schedule(sign, D(3, '10:22:40'), admin, { keyIdTyped: 'id', pendingWindowInDays: 30 }),
  ];
};

/** Rule 8: last Decrypt 200 days before the schedule. The guard started after this key was created: no CreateKey. */
const oldUse = (): CloudTrailRecord[] => {
  const key = KEYS.oldUse;
  return [
    ...decryptsOn(key, [262, 235, 207], '04:40:00', workload('ledger-archiver', 'ledger-archiver-nightly', JAVA_AGENT)),
    createAlias({ key, at: D(150, '09:00:00'), actor: admin(D(150, '09:00:00')) }),
    schedule(key, D(7, '13:13:13'), admin, { keyIdTyped: 'arn', pendingWindowInDays: 30 }),
  ];
};

/** Rule 9: never used. Created 200 days before its schedule (second account): allow. Created 20 days before: alert. */
const noUse = (): CloudTrailRecord[] => {
  const unused = KEYS.noRecordedUse;
  const young = KEYS.insufficientHistory;
  return [
    ...born(unused, D(210, '08:08:08'), (at) => iacDeployer(at, 'terraform-ci-0917', unused.account)),
    schedule(unused, D(10, '10:00:00'), secondAccountAdmin, { keyIdTyped: 'id', pendingWindowInDays: 30 }),
    ...born(young, D(25, '09:30:00'), iacDeployer),
    schedule(young, D(5, '09:35:00'), admin, { keyIdTyped: 'id', pendingWindowInDays: 30 }),
  ];
};

/** Modifier: a multi-Region primary with a replica; KMS answers PendingReplicaDeletion and no deletionDate. */
const multiRegionPrimary = (): CloudTrailRecord[] => {
  const key = KEYS.multiRegionPrimary;
  const at = D(150, '15:02:30');
  return [
    ...born(key, D(150, '15:00:00'), iacDeployer, { multiRegion: true }),
    replicateKey({ key, step: 'replicate', at, actor: iacDeployer(at) }, REPLICA_REGION),
    ...decryptsOn(key, range(30, 3, 3), '20:00:00', workload('global-sessions', 'sessions-api', NODE_AGENT)),
    schedule(key, D(2, '18:00:00'), admin, { keyIdTyped: 'arn', pendingWindowInDays: 30, replicasPending: true }),
  ];
};

/** Modifier: a key in the CloudHSM key store (the store's own history is in alert-scenarios.ts), recently used. */
const cloudHsmBacked = (): CloudTrailRecord[] => {
  const key = KEYS.cloudHsmBacked;
  const hsm = { customKeyStoreId: CUSTOM_KEY_STORE.id, clusterId: CUSTOM_KEY_STORE.clusterId };
  return [
    ...born(key, D(248, '09:00:00'), iacDeployer, { origin: 'AWS_CLOUDHSM', customKeyStoreId: CUSTOM_KEY_STORE.id, cloudHsmClusterId: CUSTOM_KEY_STORE.clusterId }),
    ...decryptsOn(key, range(40, 12, 4), '05:30:00', workload('card-vault', 'card-vault-task', JAVA_AGENT), { additionalEventData: hsm }),
    schedule(key, D(11, '14:00:00'), admin, {
      keyIdTyped: 'id',
      pendingWindowInDays: 30,
      additionalEventData: { ...hsm, backingKeys: JSON.stringify([{ keyHandle: '19', backingKeyId: 'backing-key-id' }]) },
    }),
  ];
};

/** Sweep: scheduled 25 days before --now with a 30-day window and old use: alert now, 7-day reminder at --now. */
const deletionReminder = (): CloudTrailRecord[] => {
  const key = KEYS.deletionReminder;
  return [
    ...born(key, D(300, '11:00:00'), iacDeployer),
    ...decryptsOn(key, [240, 160], '23:00:00', workload('audit-exporter', 'audit-export', PYTHON_AGENT)),
    schedule(key, D(25, '12:00:00'), admin, { keyIdTyped: 'id', pendingWindowInDays: 30 }),
  ];
};

export const deletionScenarios = (): CloudTrailRecord[] => [
  ...useWhilePendingDeletion(),
  ...exemptTag(),
  ...exemptTagJustSet(),
  ...exemptPrincipal(),
  ...useWhileDisabled(),
  ...awsServiceGrant(),
  ...disabledWithoutFailures(),
  ...recentUse(),
  ...recentUseDisabledBefore(),
  ...publicKeyExported(),
  ...oldUse(),
  ...noUse(),
  ...multiRegionPrimary(),
  ...cloudHsmBacked(),
  ...deletionReminder(),
];
