/**
 * Each Lambda bundled as CDK bundles it (infra/constructs/guard-function.ts: esbuild, ESM, node22, minified,
 * AWS SDK bundled, the createRequire banner), then its cold import time: a fresh Node process importing the
 * bundle with the environment lib/config.ts requires set to dummies. Median of a few runs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const run = promisify(execFile);

export interface BundleFigures {
  readonly bytes: number;
  /** Wall time of the import, median. */
  readonly coldImportMs: number;
  /** CPU time (user + system) of the import, median: what the import costs when other processes share the cores. */
  readonly coldImportCpuMs: number;
}

const BANNER = "import { createRequire as __kmsGuardCreateRequire } from 'node:module'; const require = __kmsGuardCreateRequire(import.meta.url);";

/** What lib/config.ts requires, and what the SDK clients read at construction; no call is made. */
const DUMMY_ENV = {
  KMS_GUARD_TABLE: 'kms-guard-bench',
  KMS_GUARD_ACCOUNT_ID: '111122223333',
  KMS_GUARD_MODE: 'dry-run',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_SERVICE_NAME: 'kms-guard-bench',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  KMS_GUARD_BACKFILL_BUCKET: 'bench-trail',
  KMS_GUARD_BACKFILL_RESULTS_BUCKET: 'bench-results',
};

const IMPORT_PROBE =
  'const c = process.cpuUsage(); const t = performance.now(); await import(process.argv[1]); const u = process.cpuUsage(c); process.stdout.write(`${performance.now() - t} ${(u.user + u.system) / 1000}`);';

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

export const measureBundles = async (repoRoot: string, runs = 5): Promise<Record<string, BundleFigures>> => {
  const functionsDir = path.join(repoRoot, 'functions');
  const names = (await readdir(functionsDir)).filter((file) => file.endsWith('.ts')).map((file) => file.slice(0, -3)).sort();
  const outdir = await mkdtemp(path.join(tmpdir(), 'kms-guard-bench-bundles-'));
  try {
    const figures: Record<string, BundleFigures> = {};
    for (const name of names) {
      const outfile = path.join(outdir, `${name}.mjs`);
      await build({
        entryPoints: [path.join(functionsDir, `${name}.ts`)],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        minify: true,
        mainFields: ['module', 'main'],
        banner: { js: BANNER },
        logLevel: 'error',
      });
      const times: number[] = [];
      const cpu: number[] = [];
      for (let attempt = 0; attempt < runs; attempt += 1) {
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', IMPORT_PROBE, pathToFileURL(outfile).href], {
          env: { PATH: process.env.PATH ?? '', ...DUMMY_ENV },
        });
        const [wall = NaN, used = NaN] = stdout.split(' ').map(Number);
        times.push(wall);
        cpu.push(used);
      }
      figures[name] = {
        bytes: (await stat(outfile)).size,
        coldImportMs: Math.round(median(times) * 10) / 10,
        coldImportCpuMs: Math.round(median(cpu) * 10) / 10,
      };
    }
    return figures;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
};
