/**
 * A local HTTP endpoint that answers like Amazon S3 (REST, path-style: /<bucket>/<key>), so tests drive the real
 * SDK S3 client: ListObjectsV2 with pagination (continuation tokens), GetObject streaming the stored bytes with
 * SSE-KMS headers, PutObject, and S3's real XML errors (NoSuchKey, AccessDenied, NoSuchBucket, SlowDown).
 * Binds 127.0.0.1 on an ephemeral port. Faults: a key can be denied, an operation can answer 503 SlowDown a few
 * times, and a GetObject can drop the connection after some bytes.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';

export interface FakeS3Object {
  readonly body: Buffer;
  readonly etag: string;
  readonly lastModified: Date;
  /** SSE-KMS: the key ARN GetObject reports (x-amz-server-side-encryption-aws-kms-key-id). */
  readonly kmsKeyId?: string;
}

export interface FakeS3Call {
  readonly operation: 'ListObjectsV2' | 'GetObject' | 'PutObject' | 'Unknown';
  readonly bucket: string;
  readonly key?: string;
  readonly query: Readonly<Record<string, string>>;
}

export interface FakeS3 {
  readonly endpoint: string;
  readonly calls: FakeS3Call[];
  /** The client as tests and the local Map run use it: path-style, pointed here, SDK retries as configured. */
  client(maxAttempts?: number): S3Client;
  put(bucket: string, key: string, body: string | Buffer, options?: { readonly kmsKeyId?: string }): FakeS3Object;
  get(bucket: string, key: string): FakeS3Object | undefined;
  keys(bucket: string): string[];
  delete(bucket: string, key: string): void;
  /** GetObject of this key answers 403 AccessDenied, as S3 does when the role or the key policy says no. */
  deny(bucket: string, key: string, code?: 'AccessDenied' | 'KMS.AccessDeniedException'): void;
  /** The next `times` calls of the operation answer 503 SlowDown (the SDK retries them). */
  slowDown(operation: FakeS3Call['operation'], times: number): void;
  /** The next GetObject of the key sends `afterBytes` bytes and drops the connection. */
  dropConnection(bucket: string, key: string, afterBytes: number): void;
  close(): Promise<void>;
}

export interface FakeS3Options {
  /** Keys per ListObjectsV2 page when the request asks for more (S3's own cap is 1000). Default 1000. */
  readonly pageSize?: number;
}

const XML_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n';
const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

export const startFakeS3 = async (options: FakeS3Options = {}): Promise<FakeS3> => {
  const buckets = new Map<string, Map<string, FakeS3Object>>();
  const denied = new Map<string, string>();
  const slow = new Map<string, number>();
  const drops = new Map<string, number>();
  const calls: FakeS3Call[] = [];
  const pageSize = options.pageSize ?? 1000;
  const bucketOf = (name: string) => {
    let bucket = buckets.get(name);
    if (bucket === undefined) buckets.set(name, (bucket = new Map()));
    return bucket;
  };

  const sendError = (response: ServerResponse, status: number, code: string, message: string, resource: string) => {
    const body = `${XML_HEADER}<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><Resource>${escapeXml(resource)}</Resource><RequestId>${randomUUID()}</RequestId></Error>`;
    response.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-amz-request-id': randomUUID() });
    response.end(body);
  };

  const list = (response: ServerResponse, bucketName: string, query: Record<string, string>) => {
    const bucket = buckets.get(bucketName);
    if (bucket === undefined) return sendError(response, 404, 'NoSuchBucket', 'The specified bucket does not exist', `/${bucketName}`);
    const prefix = query.prefix ?? '';
    const after = query['continuation-token'] === undefined ? (query['start-after'] ?? '') : Buffer.from(query['continuation-token'], 'base64url').toString('utf8');
    const maxKeys = Math.min(Number(query['max-keys'] ?? 1000), pageSize);
    const matching = [...bucket.keys()].filter((key) => key.startsWith(prefix) && key > after).sort(compareBinary);
    const page = matching.slice(0, maxKeys);
    const truncated = matching.length > page.length;
    const contents = page
      .map((key) => {
        const object = bucket.get(key);
        if (object === undefined) return '';
        return `<Contents><Key>${escapeXml(key)}</Key><LastModified>${object.lastModified.toISOString()}</LastModified><ETag>&quot;${object.etag}&quot;</ETag><Size>${object.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    const next = truncated && page.length > 0 ? `<NextContinuationToken>${Buffer.from(page.at(-1) ?? '').toString('base64url')}</NextContinuationToken>` : '';
    const token = query['continuation-token'] === undefined ? '' : `<ContinuationToken>${escapeXml(query['continuation-token'])}</ContinuationToken>`;
    const body = `${XML_HEADER}<ListBucketResult xmlns="${S3_NS}"><Name>${escapeXml(bucketName)}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${token}${next}${contents}</ListBucketResult>`;
    response.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };

  const getObject = (response: ServerResponse, bucketName: string, key: string) => {
    const id = `${bucketName}/${key}`;
    const denial = denied.get(id);
    if (denial !== undefined) return sendError(response, 403, denial, denial === 'AccessDenied' ? 'Access Denied' : 'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.', `/${id}`);
    const bucket = buckets.get(bucketName);
    if (bucket === undefined) return sendError(response, 404, 'NoSuchBucket', 'The specified bucket does not exist', `/${bucketName}`);
    const object = bucket.get(key);
    if (object === undefined) return sendError(response, 404, 'NoSuchKey', 'The specified key does not exist.', `/${id}`);
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': object.body.length,
      etag: `"${object.etag}"`,
      'last-modified': object.lastModified.toUTCString(),
      ...(object.kmsKeyId === undefined ? {} : { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': object.kmsKeyId }),
    });
    const drop = drops.get(id);
    if (drop !== undefined) {
      drops.delete(id);
      response.write(object.body.subarray(0, drop), () => response.socket?.destroy());
      return;
    }
    response.end(object.body);
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const [, bucketName = '', ...rest] = url.pathname.split('/');
      const key = rest.map(decodeURIComponent).join('/');
      const query = Object.fromEntries(url.searchParams.entries());
      const operation: FakeS3Call['operation'] =
        request.method === 'GET' && key === '' && query['list-type'] === '2' ? 'ListObjectsV2' : request.method === 'GET' && key !== '' ? 'GetObject' : request.method === 'PUT' && key !== '' ? 'PutObject' : 'Unknown';
      calls.push({ operation, bucket: decodeURIComponent(bucketName), ...(key === '' ? {} : { key }), query });
      const slowCount = slow.get(operation) ?? 0;
      if (slowCount > 0) {
        slow.set(operation, slowCount - 1);
        return sendError(response, 503, 'SlowDown', 'Please reduce your request rate.', url.pathname);
      }
      if (operation === 'ListObjectsV2') return list(response, decodeURIComponent(bucketName), query);
      if (operation === 'GetObject') return getObject(response, decodeURIComponent(bucketName), key);
      if (operation === 'PutObject') {
        const stored = put(decodeURIComponent(bucketName), key, decodeBody(request, Buffer.concat(chunks)));
        response.writeHead(200, { etag: `"${stored.etag}"`, 'content-length': 0 });
        return response.end();
      }
      return sendError(response, 501, 'NotImplemented', `the fake S3 does not implement ${request.method} ${url.pathname}${url.search}`, url.pathname);
    });
  });

  const put = (bucketName: string, key: string, body: string | Buffer, putOptions: { readonly kmsKeyId?: string } = {}): FakeS3Object => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const object: FakeS3Object = { body: bytes, etag: createHash('md5').update(bytes).digest('hex'), lastModified: new Date(), ...putOptions };
    bucketOf(bucketName).set(key, object);
    return object;
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: S3Client[] = [];
  return {
    endpoint,
    calls,
    client: (maxAttempts = 3) => {
      const client = new S3Client({
        endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts,
      });
      clients.push(client);
      return client;
    },
    put,
    get: (bucket, key) => buckets.get(bucket)?.get(key),
    keys: (bucket) => [...(buckets.get(bucket)?.keys() ?? [])].sort(compareBinary),
    delete: (bucket, key) => void buckets.get(bucket)?.delete(key),
    deny: (bucket, key, code = 'AccessDenied') => void denied.set(`${bucket}/${key}`, code),
    slowDown: (operation, times) => void slow.set(operation, times),
    dropConnection: (bucket, key, afterBytes) => void drops.set(`${bucket}/${key}`, afterBytes),
    close: async () => {
      for (const client of clients) client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

/** S3 lists keys in UTF-8 binary order. */
const compareBinary = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The SDK may send a body as aws-chunked (hex size;chunk-signature=… CRLF data CRLF … 0 CRLF trailers). */
const decodeBody = (request: IncomingMessage, raw: Buffer): Buffer => {
  const encoding = String(request.headers['content-encoding'] ?? '');
  if (!encoding.includes('aws-chunked')) return raw;
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < raw.length) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = Number.parseInt(raw.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '0', 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
};
