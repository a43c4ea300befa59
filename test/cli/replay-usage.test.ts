/** The CLI's stores (in the process by default, its own DynamoDB Local, an endpoint), its usage errors and what it says when it cannot run. */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { dynamoTestClient } from '../support/dynamodb-local.js';
import { repoRoot, runCli, samplesDir } from './run-cli.js';

/** Output a person reads must not show class names (…Error:) or stack frames. */
const expectNoInternals = (text: string) => {
  expect(text).not.toMatch(/\b[A-Z][A-Za-z]+Error\b:/);
  expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
};

describe('kms-guard replay with its default store', () => {
  it('keeps the history in the process: it runs with no Java on the PATH', async () => {
    const result = await runCli(['replay', '--json', '--now', '2026-11-29T12:00:00Z', 'events/eventbridge', 'events/sqs'], { PATH: '/nonexistent' });

    expect(result.stderr).toMatch(/KMS events? replayed/);
    expect(result.status).toBe(0);
    expect(result.lines().filter((line) => line.kind === 'key').length).toBeGreaterThan(0);
  }, 120_000);
});

describe('kms-guard replay --store dynamodb-local', () => {
  it('starts DynamoDB Local itself, replays, reports and stops it again', async () => {
    const result = await runCli(['replay', '--store', 'dynamodb-local', '--json', '--now', '2026-11-29T12:00:00Z', 'events/eventbridge', 'events/sqs']);

    expect(result.stderr).toMatch(/KMS events? replayed/);
    expect(result.status).toBe(0);
    const keys = result.lines().filter((line) => line.kind === 'key');
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(String(key.keyArn)).toMatch(/^arn:aws:kms:[a-z0-9-]+:\d+:key\//);
  }, 120_000);

  it('stops DynamoDB Local when it is stopped by SIGTERM', async () => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'lib/cli/bin.js'), 'replay', '--store', 'dynamodb-local', '--now', '2026-11-29T12:00:00Z', 'events/scenarios'], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const stderr: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
    let java: string | undefined;
    for (let attempt = 0; attempt < 300 && java === undefined; attempt += 1) {
      await sleep(100);
      java = childPids(child.pid ?? 0).find((pid) => commandOf(pid).includes('DynamoDBLocal'));
    }
    expect(java, 'DynamoDB Local started').toBeDefined();
    child.kill('SIGTERM');

    expect(await closed).toBe(143);
    expect(Buffer.concat(stderr).toString('utf8')).toMatch(/stopped by SIGTERM/);
    // Gone, or a zombie waiting to be reaped by init now that its parent has exited: no longer running either way.
    expect(commandOf(java ?? '')).toMatch(/^$|<defunct>/);
  }, 120_000);
});

describe('kms-guard replay --endpoint', () => {
  it('without --table writes into a fresh table of its own and deletes it after the run', async () => {
    const client = dynamoTestClient();
    const tablesBefore = (await client.send(new ListTablesCommand({}))).TableNames ?? [];
    const args = ['replay', '--json', '--now', '2026-11-29T12:00:00Z', '--endpoint', inject('dynamoEndpoint'), 'events/eventbridge'];

    const first = await runCli(args);
    const second = await runCli(args);

    expect([first.status, second.status]).toEqual([0, 0]);
    // The second run sees none of the first run's events: no duplicates, the same key lines.
    expect(second.stderr).toMatch(/\(0 duplicates, counted once\)/);
    expect(second.lines().filter((line) => line.kind === 'key')).toEqual(first.lines().filter((line) => line.kind === 'key'));
    expect((await client.send(new ListTablesCommand({}))).TableNames ?? []).toEqual(tablesBefore);
  }, 120_000);

  it('says which endpoint it could not reach, and why, without internals', async () => {
    const result = await runCli(['replay', '--endpoint', 'http://127.0.0.1:9', 'events/eventbridge']);

    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(/could not create the table kms-guard-replay-\S+ at the DynamoDB endpoint http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED.*\(nothing is listening there\)/);
    expectNoInternals(result.stderr);
  }, 60_000);
});

describe('kms-guard replay options that do not fit together', () => {
  it.each([
    [['--store', 'sqlite'], /--store must be "memory" or "dynamodb-local", got "sqlite"/],
    [['--table', 'history'], /--table names a DynamoDB table: give --endpoint \(or --store dynamodb-local\) with it/],
    [['--store', 'memory', '--endpoint', 'http://127.0.0.1:8000'], /--endpoint keeps the history in that DynamoDB table: leave out --store memory/],
    [['--jobs', '0'], /--jobs must be a whole number from 1 to 64, got "0"/],
    [['--memory', '64'], /--memory must be a whole number from 128 to \d+, got "64"/],
  ])('%j is a usage error naming the setting (exit 2)', async (options, message) => {
    const result = await runCli(['replay', ...options, 'events/eventbridge']);

    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expectNoInternals(result.stderr);
  });
});

describe('kms-guard replay input it cannot use', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kms-guard-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 2 for a directory with no input files, saying what it reads', async () => {
    await writeFile(path.join(dir, 'notes.txt'), 'not a log');

    const result = await runCli(['replay', dir]);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`no input files in ${dir}: kms-guard reads .json, .json.gz, .jsonl and .jsonl.gz files (1 other file ignored)`);
  });

  it('escapes control characters of binary input instead of echoing them to the terminal', async () => {
    const file = path.join(dir, 'binary.json');
    await writeFile(file, Buffer.from([0x1b, 0x5b, 0x32, 0x4a, 0x07, 0x00, 0x41]));

    const result = await runCli(['replay', '--json', '--endpoint', inject('dynamoEndpoint'), file]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`rejected: ${file}: not valid JSON: `);
    expect(result.stderr).toContain('unexpected byte 0x1b at byte 0');
    // eslint-disable-next-line no-control-regex
    expect(result.stderr).not.toMatch(/[\u0000\u0007\u001b]/);
  });

  it('keeps a day of usage of 400 callers within DynamoDB\'s item limit, counting every use (exit 0)', async () => {
    const flooded = 'arn:aws:kms:us-east-1:111122223333:key/0b0b0b0b-1111-2222-3333-444455556666';
    // 400 callers with IAM's longest role ARNs (a 512-character path): that day's usage item would be ~520 KB unbounded.
    const records = Array.from({ length: 400 }, (_, index) => cloudTrailDecrypt(flooded, `${'team/'.repeat(100)}r${index}`, `flood-${index}`));
    const file = path.join(dir, 'flood.jsonl');
    await writeFile(file, records.map((record) => JSON.stringify(record)).join('\n'));

    const result = await runCli(['replay', '--json', '--now', '2026-11-29T12:00:00Z', file]);

    expect(result.status).toBe(0);
    expect(result.lines().find((line) => line.keyArn === flooded)).toMatchObject({ useCount: 400 });
  }, 60_000);

  it('fails where production would: a key record over 400 KB (a 450 KB key policy) is named, the rest replayed (exit 1)', async () => {
    const bloated = 'arn:aws:kms:us-east-1:111122223333:key/0c0c0c0c-1111-2222-3333-444455556666';
    const quiet = 'arn:aws:kms:us-east-1:111122223333:key/0a0a0a0a-1111-2222-3333-444455556666';
    // KMS refuses policies over 32 KB; a log that claims one must not end the replay, nor pass for valid.
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'x'.repeat(450 * 1024), Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }] });
    const putPolicy = { ...cloudTrailDecrypt(bloated, 'admin', 'bloated-policy'), eventName: 'PutKeyPolicy', requestParameters: { keyId: bloated, policyName: 'default', policy } };
    const file = path.join(dir, 'bloated.jsonl');
    await writeFile(file, [putPolicy, cloudTrailDecrypt(quiet, 'app', 'quiet-1')].map((record) => JSON.stringify(record)).join('\n'));

    const result = await runCli(['replay', '--json', '--now', '2026-11-29T12:00:00Z', file]);

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/failed: .*bloated\.jsonl line 1: .*could not be recorded: .*over 400 KB/);
    expect(result.lines().find((line) => line.keyArn === quiet)).toMatchObject({ useCount: 1 });
    expectNoInternals(result.stderr);
  }, 60_000);

  it('leaves out events after --now and says how many', async () => {
    const result = await runCli(['replay', '--json', '--now', '2020-01-01T00:00:00Z', '--endpoint', inject('dynamoEndpoint'), path.join(samplesDir, 'elastic-integrations')]);

    expect(result.stderr).toMatch(/2 events after --now 2020-01-01T00:00:00\.000Z left out \(the latest 2024-\d\d-\d\dT/);
    expect(result.lines().filter((line) => line.kind === 'key')).toEqual([]);
  }, 60_000);

  it('rejects a ScheduleKeyDeletion that names no key, naming file, record and field, and replays the rest', async () => {
    const record = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(path.join(samplesDir, 'awsdocs-kms-developer-guide/ct-schedule-key-deletion-3.json'), 'utf8'))) as Record<string, unknown>;
    (record.requestParameters as Record<string, unknown>).keyId = 'alias/payments';
    record.responseElements = null;
    record.resources = null;
    const file = path.join(dir, 'unresolvable.json');
    await writeFile(file, JSON.stringify({ Records: [record] }));

    const result = await runCli(['replay', '--json', '--now', '2026-11-29T12:00:00Z', '--endpoint', inject('dynamoEndpoint'), file, 'events/eventbridge']);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`rejected: ${file} record 1: ScheduleKeyDeletion names no key ARN (requestParameters.keyId: "alias/payments" is an alias; resources[]: none)`);
    expect(result.lines().filter((line) => line.kind === 'key').length).toBeGreaterThan(0);
    expectNoInternals(result.stderr);
  }, 60_000);
});

describe('kms-guard usage errors', () => {
  it.each([
    [['replay'], /no input/],
    [['replay', '--now', 'yesterday', 'events'], /--now must be an ISO-8601 date-time/],
    [['replay', '--endpoint', 'localhost:8000', 'events'], /--endpoint must be an http\(s\) URL/],
    [['replay', '--recent-use-days', '0', 'events'], /--recent-use-days must be a positive whole number/],
    [['replay', '--grant-recent-use-days', 'x', 'events'], /--grant-recent-use-days must be a positive whole number/],
    [['replay', '--bogus', 'events'], /Unknown option '--bogus'/],
    [['deploy'], /unknown command "deploy"/],
    [[], /no command given/],
  ])('exits 2 for %j with one line of reason and a pointer to --help', async (args, reason) => {
    const result = await runCli(args);

    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).toMatch(/Run "kms-guard replay --help" for the options\.\n$/);
    expect(result.stderr.split('\n').filter((line) => line !== '')).toHaveLength(2);
    expect(result.stdout).toBe('');
  });

  it('prints the usage with --help and exits 0', async () => {
    const result = await runCli(['replay', '--help']);

    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Usage: kms-guard replay/);
    expect(result.stdout).toMatch(/--grant-recent-use-days <n>/);
  });

  it('prints its version', async () => {
    const result = await runCli(['--version']);

    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^kms-guard \d+\.\d+\.\d+\n$/);
  });
});

const childPids = (pid: number): string[] => {
  try {
    const direct = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter((line) => line !== '');
    return [...direct, ...direct.flatMap((child) => childPids(Number(child)))];
  } catch {
    return [];
  }
};

const commandOf = (pid: string): string => {
  if (pid === '') return '';
  try {
    return execFileSync('ps', ['-o', 'args=', '-p', pid], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};

/** A Decrypt as CloudTrail logs it, by an assumed-role session of `role`. */
const cloudTrailDecrypt = (key: string, role: string, eventID: string) => ({
  eventVersion: '1.11',
  userIdentity: { type: 'AssumedRole', accountId: '111122223333', arn: `arn:aws:sts::111122223333:assumed-role/${role}/s`, sessionContext: { sessionIssuer: { arn: `arn:aws:iam::111122223333:role/${role}` } } },
  eventTime: '2026-11-20T10:00:00Z',
  eventSource: 'kms.amazonaws.com',
  eventName: 'Decrypt',
  awsRegion: 'us-east-1',
  requestParameters: { keyId: key },
  responseElements: null,
  eventID,
  resources: [{ ARN: key, accountId: '111122223333', type: 'AWS::KMS::Key' }],
  recipientAccountId: '111122223333',
});
