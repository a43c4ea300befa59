/**
 * `npx tsx test/bench/sweeps.ts [--accounts 20] [--keys 2500]`: the sweep fan-out at scale, through the planner, the
 * FIFO work queue and the worker handler against the local KMS endpoint (throttling past the documented quotas).
 * Prints, for the hourly deletion sweep and for the daily grant discovery (every key's grants listed): the wall time
 * here (client and endpoint share one Node process), the time the sweep takes at the paced rates (the simulated
 * clock: what it takes against real KMS, network latency aside), invocations, and per operation the highest
 * one-second request count of any account against the quota. A benchmark measures; nothing is asserted.
 */
import { parseArgs } from 'node:util';
import { KMS_REQUEST_QUOTAS } from '../../lib/adapters/kms-quotas.js';
import { runSweepScale, type SweepScaleResult } from '../support/sweep-scale.js';

const { values } = parseArgs({ options: { accounts: { type: 'string', default: '20' }, keys: { type: 'string', default: '2500' } } });
const accounts = Number(values.accounts);
const keysPerAccount = Number(values.keys);

const report = (label: string, result: SweepScaleResult): void => {
  const described = [...result.described.values()].reduce((sum, keys) => sum + keys.size, 0);
  console.log(`\n${label}: ${accounts} accounts x ${keysPerAccount} keys = ${accounts * keysPerAccount} keys (${described} described)`);
  console.log(`  wall time ${(result.wallMs / 1000).toFixed(1)} s; at the paced rates ${(result.pacedMs / 1000).toFixed(1)} s; ${result.invocations} worker invocations; ${result.deadLetters} dead letters`);
  const byOperation = new Map<string, { peak: number; served: number; throttled: number }>();
  for (const rate of result.rates) {
    const entry = byOperation.get(rate.operation) ?? { peak: 0, served: 0, throttled: 0 };
    byOperation.set(rate.operation, { peak: Math.max(entry.peak, rate.peakPerSecond), served: entry.served + rate.served, throttled: entry.throttled + rate.throttled });
  }
  console.log('  operation            peak req/s (any account)   quota   requests   throttled');
  for (const [operation, entry] of [...byOperation].sort()) {
    console.log(`  ${operation.padEnd(20)} ${String(entry.peak).padStart(10)} ${String(KMS_REQUEST_QUOTAS[operation] ?? '-').padStart(22)} ${String(entry.served).padStart(10)} ${String(entry.throttled).padStart(11)}`);
  }
};

const now = new Date('2026-06-01T12:00:00.000Z');
// A Lambda invocation of 900 s stops 60 s early: 840 s of sweeping per work item.
report('hourly deletion sweep', await runSweepScale({ accounts, keysPerAccount, pendingPerAccount: 1, remainingMs: 900_000, now }));
report('daily grant discovery', await runSweepScale({ accounts, keysPerAccount, pendingPerAccount: 0, remainingMs: 900_000, now, work: 'grant-discovery' }));
