/** Wires `kms-guard replay`: the store (in memory, DynamoDB Local, or --endpoint), printing and Slack; then replays. */
import { SlackDecisionPublisher } from '../adapters/slack-publisher.js';
import type { Stores } from '../adapters/memory-stores.js';
import { activeAliases } from '../domain/key-state.js';
import type { Decision } from '../domain/model.js';
import type { DecisionPublisher } from '../domain/ports.js';
import { listInputFiles } from '../ingest/read-inputs.js';
import { printable } from '../ingest/printable.js';
import { decisionText } from '../replay/decision-text.js';
import { decisionLine, keyLines, keyText } from '../replay/report.js';
import { replay } from '../replay/replay.js';
import type { ReplayArgs } from './args.js';
import { UsageError } from './args.js';
import { describeFailure } from './describe-failure.js';
import { ProgressBar } from './progress.js';
import { openReplayStores, type ReplayStores } from './replay-stores.js';
import { summaryText } from './summary-text.js';

export const runReplay = async (args: ReplayArgs): Promise<number> => {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  // Each line made safe on its own: input never reaches the terminal unescaped, the summary keeps its lines.
  const err = (text: string) => process.stderr.write(`${text.split('\n').map(printable).join('\n')}\n`);
  const progress = ProgressBar.for(process.stderr, args.progress);

  const { files, ignored } = await listInputFiles(args.paths);
  if (files.length === 0) {
    throw new UsageError(
      `no input files in ${args.paths.join(', ')}: kms-guard reads .json, .json.gz, .jsonl and .jsonl.gz files` +
        (ignored.length === 0 ? '' : ` (${ignored.length} other file${ignored.length === 1 ? '' : 's'} ignored)`),
    );
  }

  let opened: ReplayStores | undefined;
  // A signal must not leave DynamoDB Local (or the run's own table) behind: close the store, then end with the signal's status.
  const onSignal = (signal: NodeJS.Signals) => {
    progress.done();
    err(`kms-guard: stopped by ${signal}`);
    void (opened?.close(err) ?? Promise.resolve()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    opened = await openReplayStores(args, () => progress.update('starting DynamoDB Local…', 0));
    return await replayInto(args, files, opened.stores, { out, err, progress });
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    progress.done();
    await opened?.close(err);
  }
};

interface Output {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly progress: ProgressBar;
}

const replayInto = async (args: ReplayArgs, files: readonly string[], stores: Stores, { out, err, progress }: Output): Promise<number> => {
  const { usage } = stores;
  const slack = args.slackWebhook === undefined ? undefined : new SlackDecisionPublisher(args.slackWebhook);
  let undelivered = 0;
  if (!args.json) out('DRY RUN: kms-guard replay shows what the guard would decide. It calls nothing in AWS.\n');
  const printer: DecisionPublisher = {
    publish: async (decisions: readonly Decision[]) => {
      progress.done();
      for (const decision of decisions) {
        if (args.json) {
          out(JSON.stringify(decisionLine(decision)));
          continue;
        }
        const key = await usage.getKey(decision.keyArn).catch(() => undefined);
        out(`${decisionText(decision, { aliases: key === undefined ? [] : activeAliases(key) })}\n`);
      }
      // A webhook that refuses a message must not stop the replay: say so, go on, and fail at the end.
      await slack?.publish(decisions).catch((error: unknown) => {
        undelivered += decisions.length;
        err(`slack: ${describeFailure(error)}`);
      });
    },
  };
  const summary = await replay(
    {
      usage,
      coverage: stores.coverage,
      grants: stores.grants,
      decisions: stores.decisions,
      customKeyStores: stores.customKeyStores,
      publisher: printer,
      policy: args.policy,
    },
    args.paths,
    args.now,
    {
      onRejected: (message) => {
        progress.done();
        err(`rejected: ${message}`);
      },
      onRecordsRead: (records) => progress.update('reading', records),
      onUnresolvedKey: (origin, event) => {
        progress.done();
        err(`no key: ${origin.source}${origin.position === undefined ? '' : ` ${origin.position}`}: ${event.eventName} names no key the guard can resolve (${event.unresolvedKey}): it counts for no key`);
      },
      onEventFailed: (failure) => {
        progress.done();
        err(`failed: ${failure.where}: ${failure.what}: ${failure.message}`);
      },
      onEventProcessed: (done, total) => progress.update('replaying', done, total),
    },
    { jobs: args.jobs, memoryBudgetMb: args.memoryBudgetMb, files },
  );
  progress.done();
  const keys = await keyLines(usage);
  if (!args.json && keys.length > 0) out(`Keys (${keys.length}):`);
  for (const line of keys) out(args.json ? JSON.stringify(line) : keyText(line));

  err(summaryText(summary, { keys: keys.length, now: args.now, table: args.table }));
  if (undelivered > 0) {
    err(`slack: ${undelivered} message(s) could not be delivered to the webhook`);
    return 3;
  }
  return summary.rejected > 0 || summary.failed > 0 ? 1 : 0;
};
