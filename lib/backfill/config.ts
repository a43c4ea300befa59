/**
 * The backfill functions' environment, read once at cold start (the guard's other settings are lib/config.ts;
 * the backfill functions need none of them). A missing value fails the start naming the variable.
 */
import { ConfigError } from '../errors.js';

export interface BackfillConfig {
  readonly tableName: string;
  readonly region: string;
  /** The trail bucket and the prefix the deployment may read (its IAM is scoped to it). */
  readonly trailBucket: string;
  readonly trailPrefix: string;
  /** Where the Map run's results and the summary are written. */
  readonly resultsBucket: string;
  readonly resultsPrefix: string;
  /** Batches at once unless the execution input says otherwise. */
  readonly defaultConcurrency: number;
}

type Env = Readonly<Record<string, string | undefined>>;

export const loadBackfillConfig = (env: Env = process.env): BackfillConfig => {
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') throw new ConfigError(`${name} is not set`);
    return value;
  };
  const concurrency = Number(env.KMS_GUARD_BACKFILL_CONCURRENCY ?? '40');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) {
    throw new ConfigError(`KMS_GUARD_BACKFILL_CONCURRENCY must be a whole number from 1 to 1000, got "${env.KMS_GUARD_BACKFILL_CONCURRENCY}"`);
  }
  return {
    tableName: required('KMS_GUARD_TABLE'),
    region: required('AWS_REGION'),
    trailBucket: required('KMS_GUARD_BACKFILL_BUCKET'),
    // An empty prefix (the whole bucket) is a valid setting.
    trailPrefix: env.KMS_GUARD_BACKFILL_PREFIX ?? '',
    resultsBucket: required('KMS_GUARD_BACKFILL_RESULTS_BUCKET'),
    resultsPrefix: env.KMS_GUARD_BACKFILL_RESULTS_PREFIX ?? 'backfill',
    defaultConcurrency: concurrency,
  };
};
