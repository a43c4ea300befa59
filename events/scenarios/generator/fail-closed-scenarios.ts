/**
 * Histories for the fail-closed fixes of the deletion guard (README.md, "Fail closed"): each makes the guard take
 * the safe side where it once let a deletion through, went silent, or undid what a person chose. The oracle is the
 * separate block at the end of test/replay/scenario-expectations.ts.
 */
import { admin, iacDeployer, workload } from './actors.js';
import { apiCall, eventIdFor, type CloudTrailRecord } from './cloudtrail-record.js';
import { born, decryptsOn, range } from './history.js';
import { NODE_AGENT, PYTHON_AGENT, ec2Infrastructure, serviceOnBehalf, sdkSession, sessionArn, type Actor } from './identities.js';
import { ACCOUNT, KEYS, REGION, REPLICA_REGION, SECOND_ACCOUNT, eventIdOf, keyArnOf, uuidFor, type ScenarioKey } from './ids.js';
import { createGrant, decrypt, disableKey, getPublicKey, keyResource, replicateKey, scheduleKeyDeletion } from './kms-records.js';
import { daysBefore as D, plusMinutes, plusSeconds } from './time.js';

/** An account whose trail logs write events only: no Decrypt, no DescribeKey ever reaches the guard from it. */
export const WRITE_ONLY_ACCOUNT = '555566667777';

const key = (name: string, account = ACCOUNT): ScenarioKey => ({ name, keyId: uuidFor(`key/${name}`), account, region: REGION });

export const FAIL_CLOSED_KEYS = {
  ebsSharedVolumes: key('ebs-shared-volumes'),
  createGrantPending: key('create-grant-pending'),
  reEncryptSource: key('reencrypt-source'),
  reEncryptDestination: key('reencrypt-destination'),
  replicaPendingFailure: { ...key('replica-pending-failure'), keyId: `mrk-${uuidFor('key/replica-pending-failure').replace(/-/g, '')}` },
  publicKeyExportedDisabled: key('public-key-exported-disabled'),
  recencyAtScheduling: key('recency-at-scheduling'),
  sameSecondDisable: key('same-second-disable'),
  importedMaterialExpired: key('imported-material-expired'),
  deletedAfterWaiting: key('deleted-after-waiting'),
  writeOnlyTrail: key('write-only-trail', WRITE_ONLY_ACCOUNT),
} as const satisfies Record<string, ScenarioKey>;

/** How many EBS volumes share ebs-shared-volumes: more than the decision names (20), so it counts the rest. */
export const SHARED_VOLUMES = 40;

const K = FAIL_CLOSED_KEYS;
const schedule = (scenarioKey: ScenarioKey, at: string, actor: (at: string) => Actor, options: Parameters<typeof scheduleKeyDeletion>[1]) =>
  scheduleKeyDeletion({ key: scenarioKey, step: 'schedule', at, actor: actor(at) }, options);
const thirtyDays = { keyIdTyped: 'arn', pendingWindowInDays: 30 } as const;

/** A call of a KMS service event (eventType AwsServiceEvent), the shape of the developer guide's DeleteKey samples. */
const serviceEvent = (scenarioKey: ScenarioKey, step: string, at: string, eventName: string): CloudTrailRecord => ({
  ...apiCall({
    label: `${scenarioKey.name}/${step}`,
    at,
    actor: { userIdentity: { accountId: scenarioKey.account, invokedBy: 'AWS Internal' }, sourceIPAddress: 'AWS Internal', userAgent: 'AWS Internal', extra: {} },
    account: scenarioKey.account,
    region: scenarioKey.region,
    eventSource: 'kms.amazonaws.com',
    eventName,
    requestParameters: null,
    responseElements: null,
    resources: [keyResource(scenarioKey)],
    readOnly: false,
  }),
  eventType: 'AwsServiceEvent',
});

/** Defect 2: 40 attached volumes hold EBS grants on one key; the evidence names 20 and counts the rest. */
const ebsSharedVolumes = (): CloudTrailRecord[] => {
  const records = born(K.ebsSharedVolumes, D(240, '09:00:00'), iacDeployer);
  for (let volume = 0; volume < SHARED_VOLUMES; volume += 1) {
    const at = plusMinutes(D(220, '10:00:00'), volume * 7);
    const instanceId = `i-0${uuidFor(`instance/${volume}`).replace(/-/g, '').slice(0, 16)}`;
    const viaEc2 = (when: string) => serviceOnBehalf(ACCOUNT, 'platform-ops', 'bob@example.com', when, 'ec2-frontend-api.amazonaws.com');
    records.push(
      createGrant({ key: K.ebsSharedVolumes, at, actor: viaEc2(at) }, `ebs-attach-${volume}`, {
        constraints: { encryptionContextSubset: { 'aws:ebs:id': `vol-0${uuidFor(`volume/${volume}`).replace(/-/g, '').slice(0, 16)}` } },
        retiringPrincipal: 'ec2.us-east-1.amazonaws.com',
        operations: ['Decrypt'],
        granteePrincipal: sessionArn(ACCOUNT, 'aws:ec2-infrastructure', instanceId),
      }),
      decrypt({ key: K.ebsSharedVolumes, step: `attach-decrypt/${volume}`, at: plusSeconds(at, 2), actor: ec2Infrastructure(ACCOUNT, instanceId, plusSeconds(at, 2)) }),
    );
  }
  records.push(schedule(K.ebsSharedVolumes, D(4, '15:00:00'), admin, thirtyDays));
  return records;
};

/** Defect 7: the key's last Decrypt is old, but EC2's CreateGrant to attach a volume fails on the pending key. */
const createGrantPending = (): CloudTrailRecord[] => {
  const at = D(6, '11:42:10');
  const viaEc2 = serviceOnBehalf(ACCOUNT, 'platform-ops', 'bob@example.com', at, 'ec2-frontend-api.amazonaws.com');
  return [
    ...born(K.createGrantPending, D(300, '09:00:00'), iacDeployer),
    ...decryptsOn(K.createGrantPending, [250, 210], '03:00:00', workload('batch-render', 'render-nightly', PYTHON_AGENT)),
    schedule(K.createGrantPending, D(6, '09:30:00'), admin, thirtyDays),
    apiCall({
      label: `${K.createGrantPending.name}/create-grant-failure`,
      at,
      actor: viaEc2,
      account: ACCOUNT,
      region: REGION,
      eventSource: 'kms.amazonaws.com',
      eventName: 'CreateGrant',
      error: { code: 'KMSInvalidStateException', message: `${keyArnOf(K.createGrantPending)} is pending deletion.` },
      requestParameters: {
        keyId: keyArnOf(K.createGrantPending),
        granteePrincipal: sessionArn(ACCOUNT, 'aws:ec2-infrastructure', 'i-0aa11bb22cc33dd44'),
        retiringPrincipal: 'ec2.us-east-1.amazonaws.com',
        operations: ['Decrypt'],
        constraints: { encryptionContextSubset: { 'aws:ebs:id': 'vol-0ffee1234abcd5678' } },
      },
      responseElements: null,
      resources: [keyResource(K.createGrantPending)],
      readOnly: false,
    }),
  ];
};

/** Defect 7: a ReEncrypt fails on its destination key, the one pending deletion; the source is fine. */
const reEncryptDestination = (): CloudTrailRecord[] => {
  const rotator = workload('archive-rekeyer', 'rekey-batch', NODE_AGENT);
  const at = D(8, '04:15:09');
  const destination = keyArnOf(K.reEncryptDestination);
  return [
    ...born(K.reEncryptSource, D(280, '09:00:00'), iacDeployer),
    ...born(K.reEncryptDestination, D(280, '09:05:00'), iacDeployer),
    ...decryptsOn(K.reEncryptSource, range(40, 10, 5), '04:00:00', rotator),
    ...decryptsOn(K.reEncryptDestination, [200], '04:00:00', rotator),
    schedule(K.reEncryptDestination, D(9, '17:20:00'), admin, thirtyDays),
    apiCall({
      label: `${K.reEncryptDestination.name}/reencrypt-failure`,
      at,
      actor: rotator(at),
      account: ACCOUNT,
      region: REGION,
      eventSource: 'kms.amazonaws.com',
      eventName: 'ReEncrypt',
      error: { code: 'KMSInvalidStateException', message: `${destination} is pending deletion.` },
      requestParameters: { destinationKeyId: destination, sourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', destinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
      responseElements: null,
      resources: [keyResource(K.reEncryptSource), keyResource(K.reEncryptDestination)],
      readOnly: true,
    }),
  ];
};

/** Defect 7: a multi-Region primary waits for its replica; KMS words the failure "… is pending replica deletion." */
const replicaPendingFailure = (): CloudTrailRecord[] => {
  const replicated = D(180, '15:02:30');
  const app = workload('session-store', 'sessions-eu', NODE_AGENT);
  return [
    ...born(K.replicaPendingFailure, D(180, '15:00:00'), iacDeployer, { multiRegion: true }),
    replicateKey({ key: K.replicaPendingFailure, step: 'replicate', at: replicated, actor: iacDeployer(replicated) }, REPLICA_REGION),
    ...decryptsOn(K.replicaPendingFailure, [170, 160], '20:00:00', app),
    schedule(K.replicaPendingFailure, D(5, '08:00:00'), admin, { ...thirtyDays, replicasPending: true }),
    decrypt({ key: K.replicaPendingFailure, step: 'pending-replica-failure', at: D(5, '09:10:00'), actor: app(D(5, '09:10:00')) }, { failure: 'pending-deletion' }),
  ].map((record) =>
    record.eventID === eventIdFor(`${K.replicaPendingFailure.name}/pending-replica-failure`)
      ? { ...record, errorMessage: `${keyArnOf(K.replicaPendingFailure)} is pending replica deletion.` }
      : record,
  );
};

/** Defect 8: an RSA encryption key whose public key was fetched, disabled 20 days before it was scheduled. */
const publicKeyExportedDisabled = (): CloudTrailRecord[] => {
  const partner = workload('partner-exchange', 'exchange-onboarding', PYTHON_AGENT);
  return [
    ...born(K.publicKeyExportedDisabled, D(260, '09:45:00'), iacDeployer, { keySpec: 'RSA_3072', keyUsage: 'ENCRYPT_DECRYPT' }),
    getPublicKey({ key: K.publicKeyExportedDisabled, step: 'get-public-key', at: D(150, '10:10:10'), actor: partner(D(150, '10:10:10')) }, keyArnOf(K.publicKeyExportedDisabled)),
    disableKey({ key: K.publicKeyExportedDisabled, step: 'disable', at: D(40, '09:00:00'), actor: admin(D(40, '09:00:00')) }),
    schedule(K.publicKeyExportedDisabled, D(20, '09:00:00'), admin, thirtyDays),
  ];
};

/** Defect 9: used until 80 days before it was scheduled; the sweep at --now, 100 days after that use, must agree. */
const recencyAtScheduling = (): CloudTrailRecord[] => [
  ...born(K.recencyAtScheduling, D(300, '08:00:00'), iacDeployer),
  ...decryptsOn(K.recencyAtScheduling, range(130, 100, 5), '05:00:00', workload('quarterly-close', 'close-run', PYTHON_AGENT)),
  serviceEvent(K.recencyAtScheduling, 'rotate', D(60, '00:00:00'), 'RotateKey'),
  schedule(K.recencyAtScheduling, D(20, '16:00:00'), admin, thirtyDays),
];

/**
 * Defect 6b: DisableKey and ScheduleKeyDeletion in the same second. Replay orders ties by eventID: the disable's sorts
 * first, so it is recorded when the guard decides, and only the one-second resolution hides which came first.
 */
const sameSecondDisable = (): CloudTrailRecord[] => {
  const at = D(3, '10:00:00');
  const scheduleId = eventIdOf(K.sameSecondDisable, 'schedule');
  const step = range(500, 0).map((index) => `disable-${index}`).find((candidate) => eventIdOf(K.sameSecondDisable, candidate) < scheduleId) ?? 'disable';
  return [
    ...born(K.sameSecondDisable, D(200, '08:00:00'), iacDeployer),
    ...decryptsOn(K.sameSecondDisable, range(30, 4, 2), '07:00:00', workload('ledger-api', 'ledger-api-task', NODE_AGENT)),
    disableKey({ key: K.sameSecondDisable, step, at, actor: admin(at) }),
    schedule(K.sameSecondDisable, at, admin, thirtyDays),
  ];
};

/** Defect 11: imported key material that expired leaves the key PendingImport; it was scheduled from there. */
const importedMaterialExpired = (): CloudTrailRecord[] => {
  const imported = D(200, '09:10:00');
  return [
    ...born(K.importedMaterialExpired, D(200, '09:00:00'), iacDeployer, { origin: 'EXTERNAL' }),
    apiCall({
      label: `${K.importedMaterialExpired.name}/import`,
      at: imported,
      actor: iacDeployer(imported),
      account: ACCOUNT,
      region: REGION,
      eventSource: 'kms.amazonaws.com',
      eventName: 'ImportKeyMaterial',
      requestParameters: { keyId: keyArnOf(K.importedMaterialExpired), expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: 'Nov 9, 2026, 9:10:00 AM' },
      responseElements: null,
      resources: [keyResource(K.importedMaterialExpired)],
      readOnly: false,
    }),
    ...decryptsOn(K.importedMaterialExpired, range(60, 25, 5), '06:30:00', workload('hyok-app', 'hyok-app-task', NODE_AGENT)),
    serviceEvent(K.importedMaterialExpired, 'material-expired', D(20, '09:10:00'), 'DeleteExpiredKeyMaterial'),
    schedule(K.importedMaterialExpired, D(10, '13:00:00'), admin, thirtyDays),
  ];
};

/** 11.11: KMS's own DeleteKey record ends the waiting period: the key is Deleted, no longer pending. */
const deletedAfterWaiting = (): CloudTrailRecord[] => [
  ...born(K.deletedAfterWaiting, D(320, '08:00:00'), iacDeployer),
  ...decryptsOn(K.deletedAfterWaiting, [250], '05:00:00', workload('legacy-reports', 'reports', PYTHON_AGENT)),
  schedule(K.deletedAfterWaiting, D(45, '12:00:00'), admin, thirtyDays),
  serviceEvent(K.deletedAfterWaiting, 'delete-key', D(15, '12:00:07'), 'DeleteKey'),
];

/** Defect 10: never used, created 200 days before it was scheduled, in an account whose trail has no read-only events. */
const writeOnlyTrail = (): CloudTrailRecord[] => {
  const deployer = (at: string) => iacDeployer(at, 'terraform-ci-7781', WRITE_ONLY_ACCOUNT);
  const person = (at: string) => sdkSession(WRITE_ONLY_ACCOUNT, 'Admin', 'dave@example.com', at, NODE_AGENT);
  return [...born(K.writeOnlyTrail, D(210, '08:00:00'), deployer), schedule(K.writeOnlyTrail, D(8, '10:00:00'), person, thirtyDays)];
};

/**
 * Defect 10, the other side: the guard's own DescribeKey calls in 444455556666 (its hourly sweep) come back as
 * read-only events, so no-recorded-use there rests on evidence that usage events arrive: the first one opens the
 * coverage, one half an hour before the scheduling is the fresh heartbeat. (In production there is one an hour.)
 */
const heartbeatOfSecondAccount = (): CloudTrailRecord[] =>
  [215, 10, 1].map((day) => {
    const at = D(day, '09:30:00');
    return apiCall({
      label: `heartbeat/${SECOND_ACCOUNT}/${day}`,
      at,
      actor: sdkSession(SECOND_ACCOUNT, 'kms-guard-deletion-sweep-us-east-1', 'deletion-sweep', at, NODE_AGENT),
      account: SECOND_ACCOUNT,
      region: REGION,
      eventSource: 'kms.amazonaws.com',
      eventName: 'DescribeKey',
      requestParameters: { keyId: keyArnOf(KEYS.noRecordedUse) },
      responseElements: null,
      resources: [keyResource(KEYS.noRecordedUse)],
      readOnly: true,
    });
  });

export const failClosedScenarios = (): CloudTrailRecord[] => [
  ...ebsSharedVolumes(),
  ...createGrantPending(),
  ...reEncryptDestination(),
  ...replicaPendingFailure(),
  ...publicKeyExportedDisabled(),
  ...recencyAtScheduling(),
  ...sameSecondDisable(),
  ...importedMaterialExpired(),
  ...deletedAfterWaiting(),
  ...writeOnlyTrail(),
  ...heartbeatOfSecondAccount(),
];
