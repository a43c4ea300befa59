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
    expect(stdout).toMatch(/CANCEL-DELETION \(then EnableKey\)/);
    expect(stdout).toMatch(/CANCEL-DELETION \(key stays Disabled\)/);
    expect(stdout).toMatch(/REVOKE-GRANT/);
    expect(stdout).toMatch(/\nKeys:\n/);
  }, 180_000);
});
