import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3TrailObjects } from '../../lib/adapters/s3-trail-objects.js';
import { TrailObjectUnreadableError } from '../../lib/backfill/errors.js';
import { startFakeS3, type FakeS3 } from '../support/fake-s3-server.js';

const BUCKET = 'org-trail';
let s3: FakeS3;
let objects: S3TrailObjects;

beforeAll(async () => {
  s3 = await startFakeS3({ pageSize: 2 });
  objects = new S3TrailObjects(s3.client(), BUCKET);
  for (const name of ['a', 'b', 'c', 'd', 'e']) s3.put(BUCKET, `AWSLogs/111122223333/CloudTrail/us-east-1/2026/05/01/${name}.json.gz`, gzipSync(name));
  s3.put(BUCKET, 'other/z.json', '{}');
});
afterAll(() => s3.close());

const text = async (body: AsyncIterable<Uint8Array>): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
};

describe('the trail bucket through the real S3 client', () => {
  it('lists every object under a prefix across pages, with its ETag and size', async () => {
    const listed = [];
    for await (const object of objects.list('AWSLogs/')) listed.push(object);

    expect(listed.map((object) => object.key.split('/').at(-1))).toEqual(['a.json.gz', 'b.json.gz', 'c.json.gz', 'd.json.gz', 'e.json.gz']);
    expect(listed[0]?.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(listed[0]?.size).toBeGreaterThan(0);
    expect(s3.calls.filter((call) => call.operation === 'ListObjectsV2').length).toBe(3);
  });

  it('streams an object\'s bytes as stored (gzip included)', async () => {
    const key = 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/05/01/c.json.gz';

    expect(await text(await objects.open(key))).toEqual(gzipSync('c'));
  });

  it('names a missing object and a denied one as unreadable, with the reason', async () => {
    s3.deny(BUCKET, 'AWSLogs/denied.json.gz');
    s3.deny(BUCKET, 'AWSLogs/kms.json.gz', 'KMS.AccessDeniedException');

    const missing = await objects.open('AWSLogs/gone.json.gz').catch((error: unknown) => error);
    const denied = await objects.open('AWSLogs/denied.json.gz').catch((error: unknown) => error);
    const kms = await objects.open('AWSLogs/kms.json.gz').catch((error: unknown) => error);

    expect(missing).toBeInstanceOf(TrailObjectUnreadableError);
    expect((missing as TrailObjectUnreadableError).reason).toMatch(/^missing/);
    expect((denied as TrailObjectUnreadableError).reason).toMatch(/^access denied/);
    expect((kms as TrailObjectUnreadableError).reason).toMatch(/trail key refused/);
  });

  it('rides out SlowDown with the SDK\'s retries', async () => {
    s3.slowDown('GetObject', 2);

    expect(await text(await objects.open('AWSLogs/111122223333/CloudTrail/us-east-1/2026/05/01/a.json.gz'))).toEqual(gzipSync('a'));
  });

  it('throws a dropped connection as it is: transient, not unreadable', async () => {
    const key = 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/05/01/big.json.gz';
    s3.put(BUCKET, key, Buffer.alloc(200_000, 7));
    s3.dropConnection(BUCKET, key, 1000);

    const error = await objects.open(key).then(text).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TrailObjectUnreadableError);
  });
});
