import { describe, expect, it } from 'vitest';
import { loadBackfillConfig } from '../../lib/backfill/config.js';
import { ConfigError } from '../../lib/errors.js';

const env = { KMS_GUARD_TABLE: 'kms-guard', AWS_REGION: 'us-east-1', KMS_GUARD_BACKFILL_BUCKET: 'trail', KMS_GUARD_BACKFILL_RESULTS_BUCKET: 'results' };

describe('the backfill functions\' environment', () => {
  it('defaults the prefix to the whole bucket, the results prefix to backfill and 40 batches at once', () => {
    expect(loadBackfillConfig(env)).toEqual({ tableName: 'kms-guard', region: 'us-east-1', trailBucket: 'trail', trailPrefix: '', resultsBucket: 'results', resultsPrefix: 'backfill', defaultConcurrency: 40 });
  });

  it.each([
    [{ ...env, KMS_GUARD_BACKFILL_BUCKET: undefined }, /KMS_GUARD_BACKFILL_BUCKET is not set/],
    [{ ...env, KMS_GUARD_TABLE: '' }, /KMS_GUARD_TABLE is not set/],
    [{ ...env, KMS_GUARD_BACKFILL_CONCURRENCY: '0' }, /KMS_GUARD_BACKFILL_CONCURRENCY must be a whole number from 1 to 1000/],
  ])('fails the cold start naming the variable', (values, message) => {
    expect(() => loadBackfillConfig(values)).toThrow(ConfigError);
    expect(() => loadBackfillConfig(values)).toThrow(message);
  });
});
