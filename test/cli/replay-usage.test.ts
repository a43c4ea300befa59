/** The CLI's own DynamoDB Local (the default store) and its usage errors. */
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('kms-guard replay with its default store', () => {
  it('starts DynamoDB Local itself, replays, reports and stops it again', async () => {
    const result = await runCli(['replay', '--json', '--now', '2026-11-29T12:00:00Z', 'events/eventbridge', 'events/sqs']);

    expect(result.stderr).toMatch(/replayed \d+ events/);
    expect(result.status).toBe(0);
    const keys = result.lines().filter((line) => line.kind === 'key');
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(String(key.keyArn)).toMatch(/^arn:aws:kms:[a-z0-9-]+:\d+:key\//);
  }, 120_000);
});

describe('kms-guard usage errors', () => {
  it.each([
    [['replay'], /no input/],
    [['replay', '--now', 'yesterday', 'events'], /--now must be an ISO-8601 date-time/],
    [['replay', '--endpoint', 'localhost:8000', 'events'], /--endpoint must be an http\(s\) URL/],
    [['replay', '--recent-use-days', '0', 'events'], /--recent-use-days must be a positive whole number/],
    [['replay', '--bogus', 'events'], /Unknown option '--bogus'/],
    [['deploy'], /unknown command "deploy"/],
  ])('exits 2 for %j with a reason', async (args, reason) => {
    const result = await runCli(args);

    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(reason);
    expect(result.stdout).toBe('');
  });

  it('prints the usage with --help and exits 0', async () => {
    const result = await runCli(['replay', '--help']);

    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Usage: kms-guard replay/);
  });
});
