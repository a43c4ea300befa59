/**
 * Grants the sweep at --now must keep although nothing obvious uses them, and the ones it must still revoke
 * (max age 90 days, recent-use window 30). Shapes: the KMS developer guide's CloudTrail examples; a call from
 * another account is logged in the key owner's trail with userIdentity {type: AWSAccount, principalId, accountId}.
 */
import { admin, iacDeployer, platformOps, workload } from './actors.js';
import { apiCall, type CloudTrailRecord } from './cloudtrail-record.js';
import { AUTOSCALING_SLR, GRANT_SAFETY_GRANTS as G, GRANT_SAFETY_KEYS as K, PARTNER_ACCOUNT } from './grant-safety-ids.js';
import { born, decryptsOn, range } from './history.js';
import { JAVA_AGENT, NODE_AGENT, PYTHON_AGENT, roleArn, type Actor } from './identities.js';
import { ACCOUNT, keyArnOf, upperIdFor, uuidFor, type ScenarioKey } from './ids.js';
import { createGrant, disableKey, keyResource } from './kms-records.js';
import { daysBefore as D } from './time.js';

/** A principal of another account, as the key owner's trail logs it: no ARN, its account only. */
const fromAccount = (account: string, role: string, session: string, userAgent: string): ((at: string) => Actor) => () => ({
  userIdentity: { type: 'AWSAccount', principalId: `AROA${upperIdFor(`role/${account}/${role}`, 17)}:${session}`, accountId: account },
  sourceIPAddress: '203.0.113.77',
  userAgent,
  extra: { tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: 'kms.us-east-1.amazonaws.com' } },
});

/** A call on a key from another account: the event is also in the caller's trail, hence sharedEventID. */
const crossAccountDecrypt = (key: ScenarioKey, day: number, actor: (at: string) => Actor): CloudTrailRecord => {
  const at = D(day, '04:10:00');
  const label = `${key.name}/partner-decrypt/${day}`;
  return apiCall({
    label,
    at,
    actor: actor(at),
    account: key.account,
    region: key.region,
    eventSource: 'kms.amazonaws.com',
    eventName: 'Decrypt',
    requestParameters: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: { report: 'daily-revenue' } },
    responseElements: null,
    resources: [keyResource(key)],
    readOnly: true,
    sharedEventID: uuidFor(`shared/${label}`),
  });
};

/** ReEncrypt from one key to another: resources[] lists [source, destination]. */
const reEncrypt = (source: ScenarioKey, destination: ScenarioKey, day: number, actor: (at: string) => Actor): CloudTrailRecord => {
  const at = D(day, '02:30:00');
  return apiCall({
    label: `${source.name}/reencrypt/${day}`,
    at,
    actor: actor(at),
    account: source.account,
    region: source.region,
    eventSource: 'kms.amazonaws.com',
    eventName: 'ReEncrypt',
    requestParameters: {
      sourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      sourceEncryptionContext: { table: 'customer-documents' },
      destinationKeyId: keyArnOf(destination),
      destinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      destinationEncryptionContext: { table: 'customer-documents' },
    },
    responseElements: null,
    resources: [keyResource(source), keyResource(destination)],
    readOnly: true,
  });
};

const describeKey = (key: ScenarioKey, day: number, actor: (at: string) => Actor): CloudTrailRecord => {
  const at = D(day, '05:45:00');
  return apiCall({
    label: `${key.name}/describe/${day}`,
    at,
    actor: actor(at),
    account: key.account,
    region: key.region,
    eventSource: 'kms.amazonaws.com',
    eventName: 'DescribeKey',
    requestParameters: { keyId: keyArnOf(key) },
    responseElements: null,
    resources: [keyResource(key)],
    readOnly: true,
  });
};

/** role/partner-reporting of the partner account decrypts every night; its calls carry no ARN: kept. */
const crossAccountInDailyUse = (): CloudTrailRecord[] => {
  const key = K.crossAccount;
  const partner = fromAccount(PARTNER_ACCOUNT, 'partner-reporting', 'nightly-report', JAVA_AGENT);
  return [
    ...born(key, D(170, '09:00:00'), iacDeployer),
    createGrant({ key, at: D(150, '09:30:00'), actor: iacDeployer(D(150, '09:30:00')) }, G.partnerReporting, {
      granteePrincipal: roleArn(PARTNER_ACCOUNT, 'partner-reporting'),
      operations: ['Decrypt'],
      name: 'partner-reporting-read',
    }),
    ...range(30, 1).map((day) => crossAccountDecrypt(key, day, partner)),
  ];
};

/**
 * The grant AWS documents for Auto Scaling to launch instances with encrypted EBS volumes, made from the account
 * that owns the group (AWSAccount in the key owner's trail) to its service-linked role; the group has not scaled
 * since: kept.
 */
const serviceLinkedRole = (): CloudTrailRecord[] => {
  const key = K.serviceLinkedRole;
  const groupOwner = fromAccount(PARTNER_ACCOUNT, 'platform-admin', 'carol@example.com', NODE_AGENT);
  return [
    ...born(key, D(220, '10:00:00'), iacDeployer),
    createGrant({ key, at: D(210, '10:15:00'), actor: groupOwner(D(210, '10:15:00')) }, G.autoScaling, {
      granteePrincipal: AUTOSCALING_SLR,
      operations: ['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'DescribeKey', 'CreateGrant'],
    }),
  ];
};

/** A rotation job moves documents from the legacy key to the new one every night, with one grant on each: kept. */
const reEncryptOnly = (): CloudTrailRecord[] => {
  const [source, destination] = [K.reEncryptSource, K.reEncryptDestination];
  const rotation = workload('key-rotation', 'reencrypt-nightly', PYTHON_AGENT);
  const grant = (key: ScenarioKey, name: string, operation: string): CloudTrailRecord =>
    createGrant({ key, at: D(180, '08:00:00'), actor: iacDeployer(D(180, '08:00:00')) }, name, {
      granteePrincipal: roleArn(ACCOUNT, 'key-rotation'),
      operations: [operation],
      name: `key-rotation-${operation}`,
    });
  return [
    ...born(source, D(400, '09:00:00'), iacDeployer),
    ...born(destination, D(190, '09:00:00'), iacDeployer),
    grant(source, G.rotationFrom, 'ReEncryptFrom'),
    grant(destination, G.rotationTo, 'ReEncryptTo'),
    ...range(30, 1).map((day) => reEncrypt(source, destination, day, rotation)),
  ];
};

/** An inventory scanner may only DescribeKey, and does so every morning: kept. */
const describeOnly = (): CloudTrailRecord[] => {
  const key = K.describeOnly;
  const scanner = workload('key-inventory', 'inventory-scan', NODE_AGENT);
  return [
    ...born(key, D(140, '11:00:00'), iacDeployer),
    createGrant({ key, at: D(120, '11:30:00'), actor: platformOps(D(120, '11:30:00')) }, G.keyInventory, {
      granteePrincipal: roleArn(ACCOUNT, 'key-inventory'),
      operations: ['DescribeKey'],
      name: 'key-inventory-describe',
    }),
    ...range(30, 1).map((day) => describeKey(key, day, scanner)),
  ];
};

/** The archive reader's grant on a key disabled 100 days ago (100 days after its last use): nothing can use it, kept. */
const disabledKey = (): CloudTrailRecord[] => {
  const key = K.disabledKey;
  return [
    ...born(key, D(260, '09:00:00'), iacDeployer),
    createGrant({ key, at: D(250, '09:30:00'), actor: iacDeployer(D(250, '09:30:00')) }, G.archiveReader, {
      granteePrincipal: roleArn(ACCOUNT, 'archive-reader'),
      operations: ['Decrypt'],
      name: 'archive-reader-restore',
    }),
    ...decryptsOn(key, [240, 200], '13:00:00', workload('archive-reader', 'restore-job', JAVA_AGENT)),
    disableKey({ key, step: 'disable', at: D(100, '16:00:00'), actor: admin(D(100, '16:00:00')) }),
  ];
};

/** A one-off migration's grant, used the week it was made and never since: revoked. */
const forgotten = (): CloudTrailRecord[] => {
  const key = K.forgotten;
  return [
    ...born(key, D(200, '09:00:00'), iacDeployer),
    createGrant({ key, at: D(180, '14:00:00'), actor: admin(D(180, '14:00:00')) }, G.legacyMigration, {
      granteePrincipal: roleArn(ACCOUNT, 'legacy-migration'),
      operations: ['Decrypt', 'Encrypt'],
      name: 'legacy-migration-2026',
    }),
    ...decryptsOn(key, [179, 177, 175], '15:00:00', workload('legacy-migration', 'migrate-batch', PYTHON_AGENT)),
  ];
};

/**
 * Two grants a person gave a retiring principal that is an AWS service; neither was created by a service nor to
 * one. Each is judged on its grantee: role/dev-sandbox never used its grant (revoked), role/reporting-etl, whose
 * grant also carries an aws:rds:db-id constraint, uses its grant daily (kept).
 */
const serviceLooking = (): CloudTrailRecord[] => {
  const key = K.serviceLooking;
  const at = D(150, '10:00:00');
  return [
    ...born(key, D(160, '09:00:00'), iacDeployer),
    createGrant({ key, at, actor: admin(at) }, G.devSandbox, {
      granteePrincipal: roleArn(ACCOUNT, 'dev-sandbox'),
      retiringPrincipal: 'rds.us-east-1.amazonaws.com',
      operations: ['Decrypt', 'GenerateDataKey'],
      name: 'dev-sandbox-rds',
    }),
    createGrant({ key, at: D(150, '10:05:00'), actor: admin(D(150, '10:05:00')) }, G.reportingEtl, {
      granteePrincipal: roleArn(ACCOUNT, 'reporting-etl'),
      retiringPrincipal: 'rds.us-east-1.amazonaws.com',
      operations: ['Decrypt'],
      constraints: { encryptionContextSubset: { 'aws:rds:db-id': 'db-R3PORT1NGETL4B7Q2XWZ' } },
      name: 'reporting-etl-rds',
    }),
    ...decryptsOn(key, range(30, 1), '03:15:00', workload('reporting-etl', 'etl-run', JAVA_AGENT), {
      encryptionContext: { 'aws:rds:db-id': 'db-R3PORT1NGETL4B7Q2XWZ' },
    }),
  ];
};

export const grantSafetyScenarios = (): CloudTrailRecord[] => [
  ...crossAccountInDailyUse(),
  ...serviceLinkedRole(),
  ...reEncryptOnly(),
  ...describeOnly(),
  ...disabledKey(),
  ...forgotten(),
  ...serviceLooking(),
];
