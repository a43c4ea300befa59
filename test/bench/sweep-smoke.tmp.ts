import { runSweepScale } from '../support/sweep-scale.js';
const r = await runSweepScale({ accounts: Number(process.env.A ?? 3), keysPerAccount: Number(process.env.K ?? 1500), pendingPerAccount: 1, remainingMs: 62_000, now: new Date('2026-06-01T12:00:00Z') });
console.log(r.wallMs, r.pacedMs, r.invocations, r.deadLetters, [...r.kinds], r.decisions.length, [...r.described].map(([a, s]) => [a, s.size]));
console.log(r.rates.filter(x=>x.served>0).map(x => `${x.accountId} ${x.operation} served=${x.served} peak=${x.peakPerSecond} q=${x.quota} thr=${x.throttled}`).join('\n'));
