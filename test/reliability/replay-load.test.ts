/**
 * Load on the replay: a generated log set (gzipped JSON Lines, compact records, out of time order, few keys so
 * the DynamoDB part stays quick) replayed by the real CLI in a child process on a pseudo-terminal (script(1)),
 * so the progress bar draws as a user sees it. Peak RSS of the child comes from /usr/bin/time.
 *
 * Records: KMS_GUARD_LOAD_RECORDS (default 100,000 to fit CI; the full million is run by hand, see
 * docs/performance.md). Bound: 768 MB. The replay's readers write sorted runs of bounded size and its coalesced
 * usage has a share of the memory budget whatever the log set's size, so a leak that grows with the record count
 * (keeping every record, every line) crosses the bound long before a million.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from './samples.js';

const run = promisify(execFile);
const RECORDS = Number(process.env.KMS_GUARD_LOAD_RECORDS ?? 100_000);
const KEYS = 8;
const DAYS = 10;
const PEAK_RSS_BOUND_MB = 768;
const NOW = '2026-11-29T12:00:00Z';
const OPERATIONS = ['Decrypt', 'Encrypt', 'GenerateDataKey'];

const keyArn = (index: number) => `arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;

/** Compact but valid CloudTrail records; eventTimes are a permutation, so the file is far from time order. */
const writeLogSet = async (file: string, records: number): Promise<void> => {
  const gzip = createGzip();
  const out = gzip.pipe(createWriteStream(file));
  const start = Date.parse('2026-11-19T00:00:00Z');
  const spacing = (DAYS * 86_400_000) / records;
  for (let index = 0; index < records; index += 1) {
    const key = keyArn(index % KEYS);
    const slot = (index * 1_000_003) % records;
    const line = JSON.stringify({
      eventVersion: '1.11',
      userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::111122223333:assumed-role/app-${index % 5}/s`, accountId: '111122223333', sessionContext: { sessionIssuer: { arn: `arn:aws:iam::111122223333:role/app-${index % 5}` } } },
      eventTime: new Date(start + slot * spacing).toISOString(),
      eventSource: 'kms.amazonaws.com',
      eventName: OPERATIONS[index % OPERATIONS.length],
      awsRegion: 'us-east-1',
      requestParameters: { keyId: key },
      responseElements: null,
      eventID: `load-${index}`,
      resources: [{ ARN: key, accountId: '111122223333', type: 'AWS::KMS::Key' }],
      eventType: 'AwsApiCall',
      recipientAccountId: '111122223333',
    });
    if (!gzip.write(`${line}\n`)) await once(gzip, 'drain');
  }
  gzip.end();
  await once(out, 'finish');
};

const canRun = existsSync('/usr/bin/script') && existsSync('/usr/bin/time');
const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;

describe.runIf(canRun)(`the replay of ${RECORDS.toLocaleString('en-US')} records`, () => {
  let directory: string;
  let logSet: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'kms-guard-load-'));
    logSet = path.join(directory, 'load.jsonl.gz');
    await writeLogSet(logSet, RECORDS);
  }, 300_000);

  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('counts every use, draws its progress bar on a terminal and stays in bounded memory', async () => {
    const timeReport = path.join(directory, 'time.txt');
    const cli = [
      '/usr/bin/time', '-v', '-o', timeReport,
      process.execPath, path.join(repoRoot, 'lib/cli/bin.js'), 'replay', '--json', '--now', NOW,
      '--endpoint', inject('dynamoEndpoint'), '--table', `kms-guard-load-${randomUUID()}`, logSet,
    ].map(quote).join(' ');

    // script -e returns the CLI's exit status; the pseudo-terminal makes stderr a TTY, so the bar is drawn.
    const { stdout } = await run('/usr/bin/script', ['-qefc', cli, '/dev/null'], {
      cwd: repoRoot,
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 900_000,
    });

    // On the terminal, stderr's bar and stdout's lines share the screen: a key line may follow the bar's "\r\e[K".
    const keys = [...stdout.matchAll(/\{"kind":"key".*\}/g)].map(([line]) => JSON.parse(line) as { keyArn: string; useCount: number });
    expect(keys.map((key) => key.keyArn).sort()).toEqual(Array.from({ length: KEYS }, (_, index) => keyArn(index)).sort());
    expect(keys.reduce((sum, key) => sum + key.useCount, 0)).toBe(RECORDS);
    expect(stdout).toContain(`Read ${RECORDS.toLocaleString("en-US")} records from `);
    expect(stdout).toContain(`${RECORDS.toLocaleString("en-US")} KMS events replayed`);
    expect(stdout).toMatch(/\rreplaying \[#{30}\] 100% /);
    expect(stdout).toMatch(/\rreading [\d,]+/);

    const peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(await readFile(timeReport, 'utf8'))?.[1]);
    process.stderr.write(`replay of ${RECORDS} records: peak RSS ${(peakKb / 1024).toFixed(0)} MB\n`);
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb / 1024).toBeLessThan(PEAK_RSS_BOUND_MB);
  }, 900_000);
});
