/** The README's main-job command: `npm start` replays the scenario histories with the CLI's own DynamoDB Local. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './run-cli.js';

const npmStart = (): Promise<{ status: number | null; stdout: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn('npm', ['start', '--silent'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8') }));
  });

describe('npm start', () => {
  it('prints the decisions and the keys of the scenario histories and exits 0', async () => {
    const { status, stdout } = await npmStart();

    expect(status).toBe(0);
    expect(stdout).toMatch(/^DRY RUN: /);
    // Each decision reads as what the guard would do, on which alias, and why.
    expect(stdout).toMatch(/WOULD CANCEL the deletion of alias\/recent-use\n.*\n    scheduled  by role\/Admin, on 2026-11-23 16:40 UTC, to be deleted on 2026-12-23 16:40 UTC \(in 30 days\)\n    because    recent-use: last used on 2026-11-22 06:05 UTC, 1 day before the scheduling by role\/orders-api-function-role via s3 \(GenerateDataKey\)\n    then       CancelKeyDeletion, then EnableKey: the key was Enabled before it was scheduled/);
    expect(stdout).toMatch(/then       CancelKeyDeletion; the key stays Disabled/);
    expect(stdout).toMatch(/WOULD REVOKE grant \S+ on alias\/grant-stale\n.*\n    because    stale-grant: created 120 days ago for role\/batch-job/);
    expect(stdout).toMatch(/\nKeys \(\d+\):\n/);
  }, 180_000);
});
