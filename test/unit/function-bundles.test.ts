/**
 * Each Lambda bundles only the AWS SDK clients it calls (lib/wiring): the trackers DynamoDB alone, the notifier no
 * KMS, and so on. Bundled as CDK bundles them (esbuild), reading which packages end up in each bundle.
 */
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/fixtures.js';

const CLIENTS = [
  'client-dynamodb',
  'client-kms',
  'client-sts',
  'client-eventbridge',
  'client-secrets-manager',
  'client-cloudhsm-v2',
  'client-sqs',
  'client-organizations',
] as const;

const clientsIn = async (name: string): Promise<string[]> => {
  const result = await build({
    entryPoints: [path.join(repoRoot, 'functions', `${name}.ts`)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    outdir: 'out',
    logLevel: 'error',
  });
  const inputs = Object.keys(result.metafile.inputs);
  // Top-level packages only: the old CloudHSM client nests an SDK of its own (for its credential chain).
  return CLIENTS.filter((client) => inputs.some((input) => input.startsWith(`node_modules/@aws-sdk/${client}/`)));
};

describe('each Lambda bundle', () => {
  it.each([
    ['usage-tracker', ['client-dynamodb']],
    ['grant-tracker', ['client-dynamodb']],
    ['deletion-guard', ['client-dynamodb', 'client-kms', 'client-sts', 'client-eventbridge']],
    ['policy-guard', ['client-dynamodb', 'client-kms', 'client-sts', 'client-eventbridge', 'client-cloudhsm-v2']],
    ['notifier', ['client-dynamodb', 'client-secrets-manager']],
    ['sweep-planner', ['client-sqs', 'client-organizations']],
    ['sweep-worker', ['client-dynamodb', 'client-kms', 'client-sts', 'client-eventbridge', 'client-sqs']],
  ])('%s carries only the SDK clients it calls: %j', async (name, expected) => {
    expect(await clientsIn(name)).toEqual(expected);
  });
});
