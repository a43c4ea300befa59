/** `npm run synth` with a wrong setting: one line naming the setting, no stack trace. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/fixtures.js';

describe('the CDK app entry', () => {
  it('reports a bad context value by its name and exits 1, without a stack trace', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'kms-guard-entry-'));
    try {
      // The CDK CLI hands context to the app as CDK_CONTEXT_JSON.
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
        cwd: repoRoot,
        env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ mode: 'bogus' }), CDK_OUTDIR: outdir },
        encoding: 'utf8',
      });

      expect(result.status).toBe(1);
      expect(result.stderr).toBe('kms-guard: context "mode" must be "enforce" or "dry-run", got "bogus" (see "Configuration" in README.md)\n');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 60_000);
});
