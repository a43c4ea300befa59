/**
 * Issue 11's "done when", through the real CLI: a history with 1,200 EBS grants on one key and 6,000 distinct
 * callers failing on it in one day (which used to overflow DynamoDB's 400 KB item limit and end the replay with
 * exit 3) replays to exit 0, with a cancel-deletion. The history is written to a temporary directory by the test,
 * with the scenario generator's record builders.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { iacDeployer, admin } from '../../events/scenarios/generator/actors.js';
import { apiCall, type CloudTrailRecord } from '../../events/scenarios/generator/cloudtrail-record.js';
import { born } from '../../events/scenarios/generator/history.js';
import { NODE_AGENT, sdkSession, serviceOnBehalf, sessionArn } from '../../events/scenarios/generator/identities.js';
import { ACCOUNT, REGION, SCENARIO_NOW, keyArnOf, uuidFor, type ScenarioKey } from '../../events/scenarios/generator/ids.js';
import { createGrant, keyResource, scheduleKeyDeletion } from '../../events/scenarios/generator/kms-records.js';
import { daysBefore as D, plusSeconds } from '../../events/scenarios/generator/time.js';
import { freshTable, runCli, type CliResult } from './run-cli.js';

const KEY: ScenarioKey = { name: 'busiest-ebs-key', keyId: uuidFor('key/busiest-ebs-key'), account: ACCOUNT, region: REGION };
const GRANTS = 1_200;
const FAILING_CALLERS = 6_000;

const history = (): CloudTrailRecord[] => {
  const records = born(KEY, D(300, '09:00:00'), iacDeployer);
  for (let volume = 0; volume < GRANTS; volume += 1) {
    const at = plusSeconds(D(200, '08:00:00'), volume * 30);
    records.push(
      createGrant({ key: KEY, at, actor: serviceOnBehalf(ACCOUNT, 'platform-ops', 'bob@example.com', at, 'ec2-frontend-api.amazonaws.com') }, `volume-${volume}`, {
        constraints: { encryptionContextSubset: { 'aws:ebs:id': `vol-${String(volume).padStart(17, '0')}` } },
        retiringPrincipal: 'ec2.us-east-1.amazonaws.com',
        operations: ['Decrypt'],
        granteePrincipal: sessionArn(ACCOUNT, 'aws:ec2-infrastructure', `i-${String(volume).padStart(17, '0')}`),
      }),
    );
  }
  // A hostile flood: thousands of distinct roles, each failing once, all on the same day.
  for (let caller = 0; caller < FAILING_CALLERS; caller += 1) {
    const at = plusSeconds(D(20, '00:00:00'), caller * 10);
    records.push(
      apiCall({
        label: `${KEY.name}/flood/${caller}`,
        at,
        actor: sdkSession(ACCOUNT, `probe-${String(caller).padStart(5, '0')}-${'x'.repeat(40)}`, 'probe', at, NODE_AGENT),
        account: ACCOUNT,
        region: REGION,
        eventSource: 'kms.amazonaws.com',
        eventName: 'Decrypt',
        error: { code: 'AccessDeniedException', message: 'User is not authorized to perform: kms:Decrypt on this resource because no identity-based policy allows it' },
        requestParameters: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
        responseElements: null,
        resources: [keyResource(KEY)],
        readOnly: true,
      }),
    );
  }
  const scheduledAt = D(5, '10:00:00');
  records.push(scheduleKeyDeletion({ key: KEY, step: 'schedule', at: scheduledAt, actor: admin(scheduledAt) }, { keyIdTyped: 'arn', pendingWindowInDays: 30 }));
  return records;
};

describe('kms-guard replay of the busiest EBS key under a flood of failing callers', () => {
  let directory: string;
  let result: CliResult;

  beforeAll(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 'kms-guard-fail-closed-'));
    writeFileSync(path.join(directory, `${ACCOUNT}_CloudTrail_${REGION}_busiest.json`), JSON.stringify({ Records: history() }));
    result = await runCli(['replay', '--json', '--now', SCENARIO_NOW, '--endpoint', inject('dynamoEndpoint'), '--table', freshTable(), directory]);
  }, 240_000);

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('exits 0, every record read', () => {
    expect(result.stderr).toMatch(/0 rejected/);
    expect(result.status, result.stderr).toBe(0);
  });

  it('cancels the deletion, naming 20 of the 1,200 service grants and counting the rest', () => {
    const decision = result.lines().find((line) => line.kind === 'decision' && line.keyArn === keyArnOf(KEY) && line.action === 'cancel-deletion');
    expect(decision).toMatchObject({ reasons: expect.arrayContaining(['aws-service-grant']), eventId: uuidFor(`event/${KEY.name}/schedule`) });
    expect(decision?.evidence).toMatchObject({ reasons: { 'aws-service-grant': { serviceGrants: GRANTS, grantsOmitted: GRANTS - 20 } } });
  });

  it('recorded every failure, counting the callers past the cap', () => {
    const key = result.lines().find((line) => line.kind === 'key' && line.keyArn === keyArnOf(KEY));
    expect(key?.failures).toEqual([expect.objectContaining({ operation: 'Decrypt', errorCode: 'AccessDeniedException', count: FAILING_CALLERS })]);
  });
});
