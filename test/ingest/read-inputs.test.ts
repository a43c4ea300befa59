/** readInputs and listInputFiles: every input shape on disk, streamed, with bad input reported, never thrown. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listInputFiles } from '../../lib/ingest/read-inputs.js';
import { collect, eventOf, loadSample, loadSampleLine, repoRoot, samplePath } from './support.js';

const KEY_LOGIN_GOV = 'arn:aws:kms:us-west-2:987654321098:key/02be2f6d-4e88-4bd3-84d4-97766993c5b4';
const KEY_ELASTIC_DELETE = 'arn:aws:kms:us-east-1:000000000:key/27d7cd14-7557-4509-a438-15fbf1e8db11';
const KEY_ELASTIC_DISABLE = 'arn:aws:kms:us-east-1:1010101010101:key/65479477-67d5-4b84-b71c-d540f7a8f31f';

const summary = (records: Awaited<ReturnType<typeof collect>>) =>
  records.map(({ source, index, outcome }) => ({
    file: path.basename(source),
    index,
    ...(outcome.kind === 'event'
      ? { eventId: outcome.event.eventId }
      : outcome.kind === 'skipped'
        ? { skipped: outcome.reason }
        : { rejected: outcome.error.reason }),
  }));

let dir: string;
const scheduleLine = () => JSON.stringify(loadSampleLine('elastic-integrations/test-schedule-key-deletion.jsonl', 1));
const disableLine = () => JSON.stringify(loadSampleLine('elastic-integrations/test-disable-key.jsonl', 1));

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kms-guard-ingest-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readInputs', () => {
  it('reads an SQS batch as Lambda receives it, each body an EventBridge event, indexed by position', async () => {
    const records = await collect([samplePath('18F-identity-lambda-functions/test_cloudtrail_records.json')]);

    expect(records).toHaveLength(1);
    expect(records[0]?.index).toBe(1);
    expect(eventOf(records[0]?.outcome)).toMatchObject({ eventName: 'Decrypt', keyArns: [KEY_LOGIN_GOV] });
  });

  it('rejects an SQS message whose body is not JSON without losing the rest of the batch', async () => {
    const batch = loadSample('18F-identity-lambda-functions/test_cloudtrail_records.json');
    const [message] = batch.Records as Record<string, unknown>[];
    const broken = { ...message, messageId: 'broken', body: '{"version":' };
    batch.Records = [broken, message];
    const file = path.join(dir, 'sqs-batch-with-broken-body.json');
    await writeFile(file, JSON.stringify(batch));

    const records = await collect([file]);

    expect(summary(records)).toEqual([
      { file: 'sqs-batch-with-broken-body.json', index: 1, rejected: expect.stringMatching(/^body: not valid JSON: /) },
      { file: 'sqs-batch-with-broken-body.json', index: 2, eventId: '56237e9e-c490-47c3-bdd7-e106041c44f0' },
    ]);
  });

  it('reads a JSON array of records, indexed by position', async () => {
    const file = path.join(dir, 'array.json');
    await writeFile(file, JSON.stringify([JSON.parse(scheduleLine()), JSON.parse(disableLine())]));

    expect(summary(await collect([file]))).toEqual([
      { file: 'array.json', index: 1, eventId: 'bf8d383c-5843-48ec-97a2-3c2af7418543' },
      { file: 'array.json', index: 2, eventId: '4a3864f4-8562-48e6-a0e5-795d63095b63' },
    ]);
  });

  it('reads a gzipped CloudTrail S3 log file ({"Records":[…]}), skipping its non-KMS records', async () => {
    const ec2 = (loadSample('awsdocs-kms-developer-guide/ct-ec2one.json').Records as unknown[])[0];
    const logFile = { Records: [ec2, JSON.parse(scheduleLine())] };
    const file = path.join(dir, '111122223333_CloudTrail_us-east-1_20241014T1425Z_abc.json.gz');
    await writeFile(file, gzipSync(JSON.stringify(logFile)));

    const records = await collect([file]);

    expect(summary(records)).toEqual([
      { file: path.basename(file), index: 1, skipped: 'not a KMS or CloudHSM event: ec2.amazonaws.com CreateVolume' },
      { file: path.basename(file), index: 2, eventId: 'bf8d383c-5843-48ec-97a2-3c2af7418543' },
    ]);
    expect(eventOf(records[1]?.outcome).keyArns).toEqual([KEY_ELASTIC_DELETE]);
  });

  it('streams gzipped JSON Lines of records and EventBridge events, by 1-based line number', async () => {
    const eventBridge = JSON.stringify(loadSample('18F-identity-lambda-functions/test_cloudtrail_records.sqs-body.eventbridge-event.json'));
    const file = path.join(dir, 'mixed.jsonl.gz');
    await writeFile(file, gzipSync([scheduleLine(), eventBridge, disableLine()].join('\n')));

    const records = await collect([file]);

    expect(records.map((record) => [record.index, eventOf(record.outcome).keyArns])).toEqual([
      [1, [KEY_ELASTIC_DELETE]],
      [2, [KEY_LOGIN_GOV]],
      [3, [KEY_ELASTIC_DISABLE]],
    ]);
  });

  it('rejects a bad JSON line with its line number and still yields the good lines before and after it; blank lines are ignored', async () => {
    const file = path.join(dir, 'bad-line.jsonl');
    await writeFile(file, `${scheduleLine()}\n\n{"eventVersion":"1.09",\n   \r\n${disableLine()}\r\n`);

    expect(summary(await collect([file]))).toEqual([
      { file: 'bad-line.jsonl', index: 1, eventId: 'bf8d383c-5843-48ec-97a2-3c2af7418543' },
      { file: 'bad-line.jsonl', index: 3, rejected: expect.stringMatching(/^not valid JSON: .*JSON/) },
      { file: 'bad-line.jsonl', index: 5, eventId: '4a3864f4-8562-48e6-a0e5-795d63095b63' },
    ]);
  });

  it('yields the lines before a truncated gzip stream, then one rejection for the file', async () => {
    const whole = gzipSync(`${scheduleLine()}\n`.repeat(200));
    const file = path.join(dir, 'truncated.jsonl.gz');
    await writeFile(file, whole.subarray(0, Math.floor(whole.length * 0.9)));

    const records = await collect([file]);
    const last = records.at(-1);

    expect(records.length).toBeGreaterThan(1);
    expect(records.slice(0, -1).every((record) => record.outcome.kind === 'event')).toBe(true);
    expect(last?.index).toBeUndefined();
    expect(last?.outcome.kind === 'rejected' && last.outcome.error.reason).toMatch(/^not a valid gzip file: /);
  });

  it('rejects a path that does not exist with "no such file or directory", without throwing', async () => {
    const missing = path.join(dir, 'nowhere', 'trail.json');

    const records = await collect([missing, samplePath('elastic-integrations/test-disable-key.jsonl')]);

    expect(summary(records)).toEqual([
      { file: 'trail.json', index: undefined, rejected: 'no such file or directory' },
      { file: 'test-disable-key.jsonl', index: 1, eventId: '4a3864f4-8562-48e6-a0e5-795d63095b63' },
    ]);
    expect(records[0]?.source).toBe(missing);
  });
});

describe('listInputFiles', () => {
  it('walks directories recursively in sorted order, keeping .json, .jsonl and .gz and ignoring the rest', async () => {
    const tree = path.join(dir, 'tree');
    await mkdir(path.join(tree, 'b', 'nested'), { recursive: true });
    await mkdir(path.join(tree, 'a'), { recursive: true });
    for (const name of ['b/nested/z.jsonl.gz', 'b/y.json', 'b/notes.txt', 'a/x.jsonl', 'a/x.log.gz', 'README.md', 'c.json']) {
      await writeFile(path.join(tree, name), '{}');
    }

    const listing = await listInputFiles([tree]);

    expect(listing.files.map((file) => path.relative(tree, file))).toEqual([
      'a/x.jsonl',
      'a/x.log.gz',
      'b/nested/z.jsonl.gz',
      'b/y.json',
      'c.json',
    ]);
    expect(listing.ignored.map((file) => path.relative(tree, file))).toEqual(['README.md', 'b/notes.txt']);
  });

  it('reads a file named explicitly whatever its extension, and reports what is in it', async () => {
    const file = path.join(dir, 'export.txt');
    await writeFile(file, disableLine());

    const listing = await listInputFiles([file]);
    const records = await collect([file]);

    expect(listing).toEqual({ files: [file], ignored: [] });
    expect(summary(records)).toEqual([{ file: 'export.txt', index: 1, eventId: '4a3864f4-8562-48e6-a0e5-795d63095b63' }]);
  });
});

describe('the project sample events (events/)', () => {
  const KEY = 'arn:aws:kms:us-east-1:111122223333:key/27d7cd14-7557-4509-a438-15fbf1e8db11';

  it.each([
    ['eventbridge/schedule-key-deletion.json', 'ScheduleKeyDeletion', [KEY]],
    ['eventbridge/decrypt-pending-deletion-failure.json', 'Decrypt', [KEY]],
    ['eventbridge/kms-cmk-deletion.json', 'KMS CMK Deletion', [KEY]],
    ['eventbridge/create-grant-ebs.json', 'CreateGrant', ['arn:aws:kms:us-east-1:715248393954:key/55487ec5-4c6b-4c87-80e5-3cfa8bcfc271']],
    ['eventbridge/retire-grant.json', 'RetireGrant', ['arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab']],
  ])('%s is a %s event for its key', async (file, eventName, keyArns) => {
    const records = await collect([path.join(repoRoot, 'events', file)]);

    expect(records).toHaveLength(1);
    expect(eventOf(records[0]?.outcome)).toMatchObject({ eventName, keyArns });
  });

  it('decrypt-pending-deletion-failure.json fails with the message KMS gives for a key pending deletion', async () => {
    const [record] = await collect([path.join(repoRoot, 'events/eventbridge/decrypt-pending-deletion-failure.json')]);

    expect(eventOf(record?.outcome)).toMatchObject({
      error: { code: 'KMSInvalidStateException', message: `${KEY} is pending deletion.` },
      caller: { principal: 'arn:aws:iam::111122223333:role/AWSLabsController', service: 'lambda' },
    });
  });

  it('sqs/usage-batch.json is an SQS batch of three EventBridge events, read in order', async () => {
    const records = await collect([path.join(repoRoot, 'events/sqs/usage-batch.json')]);

    expect(records.map((record) => [record.index, eventOf(record.outcome).eventName, eventOf(record.outcome).keyArns])).toEqual([
      [1, 'Decrypt', [KEY_LOGIN_GOV]],
      [2, 'GenerateDataKey', ['arn:aws:kms:us-east-1:830834166987:key/313e9dc0-fec9-4cac-b343-fc7233316514']],
      [3, 'Decrypt', [KEY]],
    ]);
  });
});
