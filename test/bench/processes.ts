/**
 * Runs one measured process: its wall time, its own peak RSS (getrusage maxRSS, all its threads, written at exit by
 * peak-rss.mjs) and the peak RSS of every process it starts (VmHWM from /proc, sampled while it runs: DynamoDB
 * Local's JVM under `--store dynamodb-local`).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ProcessFigures {
  readonly wallSeconds: number;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The process and the Node.js processes it started (each one's own peak, added up), in MB. */
  readonly peakRssMb: number;
  /** Each other process it started, by command name, in MB (the largest sample of its peak): DynamoDB Local's java. */
  readonly children: Readonly<Record<string, number>>;
}

const PEAK_RSS = path.join(import.meta.dirname, 'peak-rss.mjs');

export const measureProcess = async (script: string, args: readonly string[], cwd: string): Promise<ProcessFigures> => {
  const directory = await mkdtemp(path.join(tmpdir(), 'kms-guard-bench-rss-'));
  const rssFile = path.join(directory, 'rss');
  try {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', PEAK_RSS, script, ...args], {
      cwd,
      env: { ...process.env, KMS_GUARD_BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const children: Record<string, number> = {};
    const sampler = setInterval(() => sampleDescendants(child.pid ?? -1, children), 250);
    const status = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    clearInterval(sampler);
    const wallSeconds = (performance.now() - started) / 1000;
    // One line per Node.js process (the replay runs in a child of the command the user types): their peaks added up.
    const kilobytes = (await readFile(rssFile, 'utf8').catch(() => '0'))
      .trim()
      .split('\n')
      .reduce((sum, line) => sum + Number(line), 0);
    return {
      wallSeconds,
      status,
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
      peakRssMb: Math.round(kilobytes / 1024),
      children,
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
};

/** Records VmHWM (peak resident set) of every descendant of `root`, by command name, keeping the largest. */
const sampleDescendants = (root: number, peaks: Record<string, number>): void => {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), parent);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  const isDescendant = (pid: number): boolean => {
    for (let current = parents.get(pid); current !== undefined && current > 1; current = parents.get(current)) if (current === root) return true;
    return false;
  };
  for (const pid of parents.keys()) {
    if (!isDescendant(pid)) continue;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const name = /^Name:\s+(\S+)/m.exec(status)?.[1] ?? String(pid);
      // Node.js processes report their own peak (peak-rss.mjs).
      if (name === 'node') continue;
      const peakKb = Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      peaks[name] = Math.max(peaks[name] ?? 0, Math.round(peakKb / 1024));
    } catch {
      // Gone already.
    }
  }
};

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
