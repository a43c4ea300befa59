/**
 * The trail bucket through S3: GetObject streamed as it arrives (never buffered whole), and ListObjectsV2 a page
 * at a time (the Distributed Map lists in production; local runs and tests list here). A missing or denied
 * object is a TrailObjectUnreadableError; throttling and 5xx are the SDK's retries, and what still fails is thrown.
 */
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { TrailObjectUnreadableError } from '../backfill/errors.js';
import type { TrailObjectRef, TrailObjects } from '../backfill/ports.js';

const UNREADABLE: Readonly<Record<string, string>> = {
  NoSuchKey: 'missing (listed, then deleted or expired)',
  AccessDenied: 'access denied (the bucket policy, or kms:Decrypt on the trail key)',
  InvalidObjectState: 'archived (restore it from Glacier first)',
  KMS: 'the trail key refused to decrypt it',
};

export class S3TrailObjects implements TrailObjects {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async open(key: string): Promise<AsyncIterable<Uint8Array>> {
    try {
      const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (Body === undefined) return emptyBody();
      return Body as unknown as AsyncIterable<Uint8Array>;
    } catch (error) {
      throw unreadable(key, error) ?? error;
    }
  }

  async *list(prefix: string): AsyncGenerator<TrailObjectRef> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield { key: object.Key, ...(object.ETag === undefined ? {} : { etag: object.ETag }), ...(object.Size === undefined ? {} : { size: object.Size }) };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }
}

const unreadable = (key: string, error: unknown): TrailObjectUnreadableError | undefined => {
  if (error instanceof NoSuchKey) return new TrailObjectUnreadableError(key, UNREADABLE.NoSuchKey ?? '', { cause: error });
  if (!(error instanceof S3ServiceException)) return undefined;
  const kms = error.name.startsWith('KMS') ? UNREADABLE.KMS : undefined;
  const reason = UNREADABLE[error.name] ?? kms;
  return reason === undefined ? undefined : new TrailObjectUnreadableError(key, `${reason}: ${error.message}`, { cause: error });
};

async function* emptyBody(): AsyncGenerator<Uint8Array> {}
