/**
 * What a user gets from `aws s3 sync` of a trail bucket: logs of several accounts and Regions, with CloudTrail's
 * digest and Insights files beside them. Valid input: exit 0, the digests and Insights events counted as skipped.
 */
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { fixturesDir } from '../support/fixtures.js';
import { freshTable, runCli, type CliResult } from './run-cli.js';

const TREE = path.join(fixturesDir, 's3-sync/AWSLogs');
const KEY = (region: string, account: string) => `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

describe('kms-guard replay over an aws s3 sync of a trail bucket', () => {
  let text: CliResult;
  let json: CliResult;

  beforeAll(async () => {
    const endpoint = inject('dynamoEndpoint');
    [text, json] = await Promise.all([
      runCli(['replay', '--now', '2026-11-29T12:00:00Z', '--endpoint', endpoint, '--table', freshTable(), TREE]),
      runCli(['replay', '--json', '--now', '2026-11-29T12:00:00Z', '--endpoint', endpoint, '--table', freshTable(), TREE]),
    ]);
  }, 120_000);

  it('exits 0: digests and Insights files are valid input, not rejections', () => {
    expect(text.status).toBe(0);
    expect(json.status).toBe(0);
    expect(text.stderr).not.toMatch(/rejected:/);
  });

  it('says how many records it read, and why it skipped the rest', () => {
    expect(text.stderr).toContain('Read 11 records from 7 files:');
    expect(text.stderr).toContain('5 KMS events replayed (0 duplicates, counted once)');
    expect(text.stderr).toContain('6 skipped (1 not KMS, 3 CloudTrail digest files, 2 CloudTrail Insights events)');
    expect(text.stderr).toContain('0 rejected');
  });

  it('reports the keys of every account and Region, the organization trail’s included', () => {
    const keys = json.lines().filter((line) => line.kind === 'key');
    expect(keys.map((key) => [key.keyArn, key.useCount])).toEqual([
      [KEY('eu-west-1', '111122223333'), 1],
      [KEY('us-east-1', '111122223333'), 3],
      [KEY('us-west-2', '444455556666'), 1],
    ]);
  });

  it('tells the reader it is a dry run', () => {
    expect(text.stdout).toMatch(/^DRY RUN: kms-guard replay shows what the guard would decide\. It calls nothing in AWS\./);
  });
});
