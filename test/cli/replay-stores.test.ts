/**
 * The replay's two stores give the same answers: the scenario histories and the public samples, replayed with the
 * in-memory store (the default) and with DynamoDB Local (production's adapters), print the same decision and key
 * lines, byte for byte, and the same summary.
 */
import { describe, expect, inject, it } from 'vitest';
import { SCENARIO_DIRECTORY, SCENARIO_EXEMPT_PRINCIPAL, SCENARIO_NOW } from '../replay/scenario-expectations.js';
import { freshTable, runCli, samplesDir } from './run-cli.js';

const INPUTS = [
  { name: 'the scenario histories', paths: [SCENARIO_DIRECTORY], options: ['--now', SCENARIO_NOW, '--exempt-principal', SCENARIO_EXEMPT_PRINCIPAL], status: 0 },
  { name: 'the public CloudTrail samples', paths: [samplesDir], options: ['--now', '2026-11-29T12:00:00Z'], status: 1 },
] as const;

/** The summary without the line naming the table (only the DynamoDB run has one). */
const summaryOf = (stderr: string): string => stderr.slice(stderr.indexOf('Read ')).replace(/; the history is in table \S+/, '');

describe('the in-memory store and DynamoDB Local', () => {
  it.each(INPUTS)('print the same decisions and key lines for $name', async ({ paths, options, status }) => {
    const memory = await runCli(['replay', '--json', ...options, ...paths]);
    const dynamo = await runCli(['replay', '--json', ...options, '--endpoint', inject('dynamoEndpoint'), '--table', freshTable(), ...paths]);

    expect([memory.status, dynamo.status]).toEqual([status, status]);
    const kinds = memory.lines().map((line) => line.kind);
    expect(kinds).toContain('key');
    if (status === 0) expect(kinds).toContain('decision');
    expect(memory.stdout).toBe(dynamo.stdout);
    expect(summaryOf(memory.stderr)).toBe(summaryOf(dynamo.stderr));
  }, 180_000);
});
