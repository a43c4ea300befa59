/**
 * Writes events/decisions/*.json, one sample per decision detail-type, from real decisions: `kms-guard replay`'s
 * use cases over events/scenarios (in-process store, the README's --now and --exempt-principal), each decision put
 * in the EventBridge envelope the guard bus delivers (toDecisionEventEntry, as the publisher sends it). Replay runs
 * in dry-run, so the samples have `dryRun: true` and no `outcome`; docs/alerts.md shows an enforce-mode outcome.
 *
 *   npx tsx events/decisions/build.ts          # regenerate
 *   npx tsx events/decisions/build.ts --check  # exit 1 when a sample differs from what the guard decides today
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryStores } from '../../lib/adapters/memory-stores.js';
import { parseReplayArgs } from '../../lib/cli/args.js';
import { toDecisionEventEntry } from '../../lib/domain/decision-events.js';
import type { Action, Decision } from '../../lib/domain/model.js';
import { replay } from '../../lib/replay/replay.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NOW = '2026-11-29T12:00:00Z';
const EXEMPT_PRINCIPAL = 'arn:aws:iam::111122223333:role/iac-deployer';

/** Which decision of the scenario run stands for each detail-type (by its decisive reason). */
export const SAMPLES: readonly { readonly file: string; readonly action: Action; readonly decisiveReason: string }[] = [
  { file: 'deletion-cancelled.json', action: 'cancel-deletion', decisiveReason: 'recent-use' },
  { file: 'deletion-allowed.json', action: 'allow-deletion', decisiveReason: 'no-recorded-use' },
  { file: 'grant-revoked.json', action: 'revoke-grant', decisiveReason: 'stale-grant' },
  { file: 'alert.json', action: 'alert', decisiveReason: 'policy-lockout' },
];

/** The scenario decisions, as the replay makes them. */
export const scenarioDecisions = async (): Promise<readonly Decision[]> => {
  const args = parseReplayArgs(['replay', '--now', NOW, '--exempt-principal', EXEMPT_PRINCIPAL, path.join(ROOT, 'events/scenarios')]);
  const stores = createMemoryStores();
  const summary = await replay(
    { ...stores, publisher: { publish: async () => undefined }, policy: args.policy },
    args.paths,
    args.now,
    {},
    { jobs: 1 },
  );
  return summary.decisions;
};

/** The event EventBridge delivers for a decision the publisher put (its id is a stable stand-in). */
export const decisionEvent = (decision: Decision): Record<string, unknown> => {
  const entry = toDecisionEventEntry(decision);
  const digest = createHash('sha256').update(decision.decisionId).digest('hex');
  return {
    version: '0',
    id: `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`,
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: decision.accountId,
    // EventBridge's `time` has no fraction of a second.
    time: entry.Time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: decision.region,
    resources: entry.Resources,
    detail: JSON.parse(entry.Detail) as unknown,
  };
};

/** Each sample file and the text it should hold. */
export const buildSamples = async (): Promise<{ readonly file: string; readonly text: string }[]> => {
  const decisions = await scenarioDecisions();
  return SAMPLES.map((sample) => {
    const decision = decisions.find((candidate) => candidate.action === sample.action && candidate.reasons[0] === sample.decisiveReason);
    if (decision === undefined) throw new Error(`the scenarios no longer produce a ${sample.action} decided by ${sample.decisiveReason}`);
    return { file: path.join(ROOT, 'events/decisions', sample.file), text: `${JSON.stringify(decisionEvent(decision), null, 2)}\n` };
  });
};

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const { file, text } of await buildSamples()) {
    if (!check) {
      await writeFile(file, text);
      continue;
    }
    const current = await readFile(file, 'utf8').catch(() => '');
    if (current !== text) {
      stale += 1;
      process.stderr.write(`${path.relative(ROOT, file)} differs from the guard's decision today: run npx tsx events/decisions/build.ts\n`);
    }
  }
  process.exitCode = stale > 0 ? 1 : 0;
}
