/**
 * The main job on the real public samples: `kms-guard replay --json test/fixtures/cloudtrail`.
 * Expected figures were read off the sample files by hand (see the comments), not computed by the code under test.
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freshTable, runCli, samplesDir, type CliResult } from './run-cli.js';

const NOW = '2026-11-29T12:00:00Z';

/** Every key the samples name, read off the files (ingest's sample table lists the same ARNs per file). */
const EXPECTED_KEYS = [
  'arn:aws:kms:us-east-1:000000000:key/27d7cd14-7557-4509-a438-15fbf1e8db11',
  'arn:aws:kms:us-east-1:1010101010101:key/65479477-67d5-4b84-b71c-d540f7a8f31f',
  'arn:aws:kms:us-east-1:123456789012:key/e29ddfd4-1bf6-4e1b-8ecb-08216bd70d07',
  'arn:aws:kms:us-east-1:715248393954:key/55487ec5-4c6b-4c87-80e5-3cfa8bcfc271',
  'arn:aws:kms:us-east-1:830834166987:key/313e9dc0-fec9-4cac-b343-fc7233316514',
  'arn:aws:kms:us-east-1:830834166987:key/69ba0c3d-57aa-4fe5-8318-b2a40e1366b6',
  'arn:aws:kms:us-east-1:888888888888:key/90be6df2-db60-4237-ad9b-a49260XXXXX',
  'arn:aws:kms:us-west-2:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321',
  'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  'arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab',
  'arn:aws:kms:us-west-2:123456789012:key/1',
  'arn:aws:kms:us-west-2:123456789012:key/1111',
  'arn:aws:kms:us-west-2:123456789012:key/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx',
  'arn:aws:kms:us-west-2:888888888888:key/72c37aae-1000-4058-93d4-86374c0fe9a0',
  'arn:aws:kms:us-west-2:987654321098:key/02be2f6d-4e88-4bd3-84d4-97766993c5b4',
];

const keyLines = (result: CliResult) => result.lines().filter((line) => line.kind === 'key');
const keyLine = (result: CliResult, keyArn: string) => keyLines(result).find((line) => line.keyArn === keyArn);

describe('kms-guard replay --json over the public CloudTrail samples', () => {
  const endpoint = inject('dynamoEndpoint');
  let once: CliResult;

  beforeAll(async () => {
    once = await runCli(['replay', '--json', '--now', NOW, '--endpoint', endpoint, '--table', freshTable(), samplesDir]);
  }, 120_000);

  it('exits 1 and names both malformed files, with the JSON error position, on stderr', () => {
    expect(once.status).toBe(1);
    expect(once.stderr).toMatch(/malformed\/ct-decrypt-2\.json: not valid JSON: .*line 18/);
    expect(once.stderr).toMatch(/malformed\/ct-encrypt\.json: not valid JSON: .*line 23/);
  });

  it('writes only JSON Lines to stdout, each a decision or a key', () => {
    const kinds = new Set(once.lines().map((line) => line.kind));
    expect([...kinds].sort()).toEqual(['decision', 'key']);
  });

  it('reports every key in the samples, by its full ARN', () => {
    expect(keyLines(once).map((line) => line.keyArn)).toEqual(EXPECTED_KEYS);
  });

  it('counts each use once and keeps the latest use', () => {
    // 0987dcba…: Sign and Verify (2022-03-07), ReEncrypt's destination (2020-07-27) and a successful Decrypt at
    // 2022-11-24T00:26:58Z; the failed Decrypt beside it is a failure, not a use.
    expect(keyLine(once, EXPECTED_KEYS[7] as string)).toMatchObject({ useCount: 4, lastUsedAt: '2022-11-24T00:26:58.000Z' });
    // login.gov's Decrypt appears in four files (two SQS batches, two EventBridge events) with one eventID.
    expect(keyLine(once, EXPECTED_KEYS[14] as string)).toMatchObject({
      useCount: 1,
      lastUsedAt: '2019-03-08T13:32:07.000Z',
      callers: [expect.objectContaining({ principal: 'arn:aws:iam::987654321098:role/logindotgov_idp_iam_role' })],
    });
    // The lab's Lambda Decrypts: the role, not the session, and Lambda acting for it.
    expect(keyLine(once, EXPECTED_KEYS[5] as string)).toMatchObject({
      useCount: 3,
      callers: [expect.objectContaining({ principal: 'arn:aws:iam::830834166987:role/AWSLabsController', service: 'lambda' })],
    });
  });

  it('records the EBS attach as the aws:ec2-infrastructure role acting for EBS', () => {
    const academy = keyLine(once, EXPECTED_KEYS[3] as string);
    expect(academy?.callers).toEqual(
      expect.arrayContaining([expect.objectContaining({ principal: 'arn:aws:iam::715248393954:role/aws:ec2-infrastructure', service: 'ebs' })]),
    );
    expect(academy?.state).toBe('Disabled');
  });

  describe('replaying the same input twice in one run, or in another order', () => {
    let copies: string;

    beforeAll(async () => {
      // The same files under other names: the directory walk reads them in a different order.
      copies = await mkdtemp(path.join(tmpdir(), 'kms-guard-shuffled-'));
      const folders = (await readdir(samplesDir, { withFileTypes: true })).filter((entry) => entry.isDirectory());
      for (const [index, folder] of folders.reverse().entries()) {
        await cp(path.join(samplesDir, folder.name), path.join(copies, `${String(index).padStart(2, '0')}-${folder.name}`), { recursive: true });
      }
    });

    afterAll(async () => {
      await rm(copies, { recursive: true, force: true });
    });

    it('prints identical key lines', async () => {
      const twice = await runCli(['replay', '--json', '--now', NOW, '--endpoint', endpoint, '--table', freshTable(), samplesDir, samplesDir]);
      const shuffled = await runCli(['replay', '--json', '--now', NOW, '--endpoint', endpoint, '--table', freshTable(), copies]);

      expect(keyLines(twice)).toEqual(keyLines(once));
      expect(keyLines(shuffled)).toEqual(keyLines(once));
      expect(twice.stderr).toMatch(/KMS events replayed \([1-9]\d* duplicates, counted once\)/);
    }, 180_000);
  });
});
