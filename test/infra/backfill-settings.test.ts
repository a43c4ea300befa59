import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { settingsFromContext } from '../../infra/settings.js';
import { ConfigError } from '../../lib/errors.js';

const settingsWith = (context: Record<string, unknown>) => settingsFromContext(new App({ context }).node);

describe('the backfill settings', () => {
  it('are absent unless a bucket is given, and default to the whole bucket, 40 batches at once, 20 objects each', () => {
    expect(settingsWith({}).backfill).toBeUndefined();
    expect(settingsWith({ backfillBucket: 'org-trail-logs' }).backfill).toEqual({ bucket: 'org-trail-logs', prefix: '', concurrency: 40, objectsPerBatch: 20 });
  });

  it('read the prefix, the trail key and the sizes from -c strings', () => {
    const key = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(settingsWith({ backfillBucket: 'trail', backfillPrefix: 'logs/AWSLogs/o-a1b2c3d4e5/', backfillKmsKeyArn: key, backfillConcurrency: '100', backfillObjectsPerBatch: '5' }).backfill).toEqual({
      bucket: 'trail',
      prefix: 'logs/AWSLogs/o-a1b2c3d4e5/',
      kmsKeyArn: key,
      concurrency: 100,
      objectsPerBatch: 5,
    });
  });

  it.each([
    [{ backfillPrefix: 'AWSLogs/' }, /need "backfillBucket"/],
    [{ backfillBucket: 'Bad_Bucket' }, /not an S3 bucket name/],
    [{ backfillBucket: 'trail', backfillPrefix: 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/' }, /at or above the Region folder/],
    [{ backfillBucket: 'trail', backfillPrefix: 'AWSLogs' }, /must end with "\/"/],
    [{ backfillBucket: 'trail', backfillKmsKeyArn: 'alias/trail' }, /must be a KMS key ARN/],
    [{ backfillBucket: 'trail', backfillConcurrency: '0' }, /"backfillConcurrency" must be a whole number from 1 to 1000/],
  ])('reject %j naming the key', (context, message) => {
    expect(() => settingsWith(context)).toThrow(ConfigError);
    expect(() => settingsWith(context)).toThrow(message);
  });
});
