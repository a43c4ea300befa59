/** Grants for the end-of-replay grant sweep (max age 90 days, recent-use window 30 days). */
import { admin, iacDeployer, platformOps, workload } from './actors.js';
import type { CloudTrailRecord } from './cloudtrail-record.js';
import { born, decryptsOn, range } from './history.js';
import { ebsAttach } from './ebs.js';
import { JAVA_AGENT, NODE_AGENT, PYTHON_AGENT, roleArn } from './identities.js';
import { ACCOUNT, KEYS } from './ids.js';
import { createGrant, retireGrant, revokeGrant } from './kms-records.js';
import { assumeRoleByService } from './other-records.js';
import { daysBefore as D } from './time.js';

/** 120 days old, its grantee last used the key 95 days ago; another role used it 2 days ago: stale, revoke. */
const staleGrant = (): CloudTrailRecord[] => {
  const key = KEYS.grantStale;
  const batchJob = workload('batch-job', 'ecs-task-9f8e7d6c', JAVA_AGENT);
  const batchRuns = [118, 110, 95];
  return [
    ...born(key, D(200, '09:00:00'), iacDeployer),
    createGrant({ key, at: D(120, '08:00:00'), actor: iacDeployer(D(120, '08:00:00')) }, 'batch-job', {
      granteePrincipal: roleArn(ACCOUNT, 'batch-job'),
      operations: ['Decrypt', 'GenerateDataKey'],
      name: 'batch-job-exports',
    }),
    ...batchRuns.map((day) => assumeRoleByService(`${key.name}/assume/${day}`, D(day, '02:59:50'), 'batch-job', 'ecs-task-9f8e7d6c', 'ecs-tasks.amazonaws.com')),
    ...decryptsOn(key, batchRuns, '03:00:04', batchJob),
    ...decryptsOn(key, [5, 2], '14:25:00', workload('web-app', 'web-app-task', NODE_AGENT), {}, 'web-app-use'),
  ];
};

/** Named with a 7-day TTL, created 10 days ago and used nightly: expired, revoke. */
const ttlGrant = (): CloudTrailRecord[] => {
  const key = KEYS.grantTtl;
  const pipeline = workload('release-pipeline', 'codebuild-nightly-export-setup', PYTHON_AGENT);
  return [
    ...born(key, D(150, '10:00:00'), iacDeployer),
    createGrant({ key, at: D(10, '01:00:00'), actor: pipeline(D(10, '01:00:00')) }, 'nightly-export', {
      granteePrincipal: roleArn(ACCOUNT, 'nightly-export'),
      operations: ['Decrypt'],
      name: 'nightly-export-kms-guard:ttl:7d',
    }),
    ...decryptsOn(key, range(10, 1), '01:30:00', workload('nightly-export', 'nightly-export-run', PYTHON_AGENT)),
  ];
};

/** 150 days old, its grantee role used Decrypt 5 days ago through an assumed-role session: kept. */
const usedGrant = (): CloudTrailRecord[] => {
  const key = KEYS.grantUsed;
  return [
    ...born(key, D(160, '12:00:00'), iacDeployer),
    createGrant({ key, at: D(150, '12:00:00'), actor: iacDeployer(D(150, '12:00:00')) }, 'report-renderer', {
      granteePrincipal: roleArn(ACCOUNT, 'report-renderer'),
      operations: ['Decrypt'],
      name: 'report-renderer-read',
    }),
    ...decryptsOn(key, [40, 20, 5], '16:00:00', workload('report-renderer', 'render-worker-7f3a', NODE_AGENT)),
  ];
};

/** An EBS volume's grant, 300 days old, never used since attach: an AWS service grant, kept. */
const ebsServiceGrant = (): CloudTrailRecord[] => {
  const key = KEYS.grantEbsVolume;
  return [
    ...born(key, D(310, '09:00:00'), iacDeployer),
    ...ebsAttach(key, D(300, '10:20:00'), 'vol-0c3e5a7b9d1f3a5c7', 'i-0e4a6c8b0d2f4a6c8', platformOps),
  ];
};

/** One grant retired by its grantee (RetireGrant without requestParameters), one revoked by an admin: both closed. */
const closedGrants = (): CloudTrailRecord[] => {
  const key = KEYS.grantLifecycle;
  const loader = workload('etl-loader', 'etl-loader-run', PYTHON_AGENT);
  return [
    ...born(key, D(200, '09:30:00'), iacDeployer),
    createGrant({ key, at: D(130, '09:00:00'), actor: iacDeployer(D(130, '09:00:00')) }, 'etl-loader', {
      granteePrincipal: roleArn(ACCOUNT, 'etl-loader'),
      retiringPrincipal: roleArn(ACCOUNT, 'etl-loader'),
      operations: ['Decrypt', 'RetireGrant'],
      name: 'etl-loader-backfill',
    }),
    ...decryptsOn(key, [129, 115], '18:00:00', loader),
    retireGrant({ key, at: D(100, '17:00:00'), actor: loader(D(100, '17:00:00')) }, 'etl-loader'),
    createGrant({ key, at: D(125, '11:00:00'), actor: admin(D(125, '11:00:00')) }, 'contractor-analytics', {
      granteePrincipal: roleArn(ACCOUNT, 'contractor-analytics'),
      operations: ['Decrypt'],
    }),
    revokeGrant({ key, at: D(60, '10:00:00'), actor: admin(D(60, '10:00:00')) }, 'contractor-analytics'),
  ];
};

export const grantScenarios = (): CloudTrailRecord[] => [
  ...staleGrant(),
  ...ttlGrant(),
  ...usedGrant(),
  ...ebsServiceGrant(),
  ...closedGrants(),
];
