/** Runs the real `kms-guard` CLI (lib/cli/bin.js) in a child process on the test run's Node 22. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { SCENARIO_DIRECTORY, SCENARIO_EXEMPT_PRINCIPAL, SCENARIO_NOW } from '../replay/scenario-expectations.js';
import { cloudTrailSamplesDir, repoRoot } from '../support/fixtures.js';

export { repoRoot };
export const samplesDir = cloudTrailSamplesDir;

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON Lines; throws if any line is not JSON (stdout must hold nothing else). */
  readonly lines: () => Record<string, unknown>[];
}

export const runCli = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'lib/cli/bin.js'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (status) => {
      const stdout = Buffer.concat(out).toString('utf8');
      resolve({
        status,
        stdout,
        stderr: Buffer.concat(err).toString('utf8'),
        lines: () =>
          stdout
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as Record<string, unknown>),
      });
    });
  });

let tableCounter = 0;
/** A fresh table per run on the harness's DynamoDB Local, so runs never see each other's state. */
export const freshTable = (): string => `cli-${process.pid}-${Date.now()}-${(tableCounter += 1)}`;

/** `npm start`'s replay of events/scenarios as JSON, on the harness's DynamoDB Local, with extra options and inputs. */
export const scenarioReplayArgs = (endpoint: string, options: readonly string[] = [], inputs: readonly string[] = []): string[] => [
  'replay',
  '--json',
  '--now',
  SCENARIO_NOW,
  '--exempt-principal',
  SCENARIO_EXEMPT_PRINCIPAL,
  '--endpoint',
  endpoint,
  '--table',
  freshTable(),
  ...options,
  SCENARIO_DIRECTORY,
  ...inputs,
];
