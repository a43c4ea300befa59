#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npx kms-guard` works straight after `npm ci`, with no build step.
//
// `replay` keeps to a memory budget for the whole run (--memory, default 512 MB), and V8's heap limit is part of
// it: V8 takes that limit only when a process starts. So a replay runs in a child Node.js with the limit set from
// the budget; this process only waits for it (and passes on a SIGTERM; a terminal's Ctrl-C reaches both).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HEAP_FLAG = '--max-old-space-size';
const args = process.argv.slice(2);

/** --memory's value when it is a number (a wrong one is reported by the child's own argument parser). */
const memoryBudget = () => {
  const at = args.findIndex((arg) => arg === '--memory' || arg.startsWith('--memory='));
  const raw = at < 0 ? undefined : args[at].includes('=') ? args[at].slice('--memory='.length) : args[at + 1];
  const value = Number(raw);
  return Number.isInteger(value) && value >= 128 ? value : 512;
};

if (args[0] === 'replay' && !process.execArgv.some((flag) => flag.startsWith(HEAP_FLAG))) {
  // The main thread's share: reader threads have limits of their own (lib/replay/memory-budget.ts).
  const heapMb = Math.round(memoryBudget() * 0.5);
  // Reader threads each get a malloc arena of their own by default; a few shared ones keep freed buffers reusable.
  const env = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072', ...process.env };
  const child = spawn(process.execPath, [...process.execArgv, `${HEAP_FLAG}=${heapMb}`, fileURLToPath(import.meta.url), ...args], { stdio: 'inherit', env });
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.once('exit', (code, signal) => {
    process.exitCode = code ?? (signal === 'SIGINT' ? 130 : 143);
  });
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('./main.ts');
  process.exitCode = await main(process.argv.slice(2));
}
