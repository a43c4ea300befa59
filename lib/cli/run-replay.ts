/** Wires `kms-guard replay`: the store (DynamoDB Local, or --endpoint), printing and Slack; then replays. */
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, ResourceInUseException, UpdateTimeToLiveCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDbCustomKeyStoreRegistry } from '../adapters/dynamodb-custom-key-store-registry.js';
import { DynamoDbDecisionStore } from '../adapters/dynamodb-decision-store.js';
import { DynamoDbGrantStore } from '../adapters/dynamodb-grant-store.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../adapters/dynamodb-local.js';
import { createDocumentClient, tableDefinition } from '../adapters/dynamodb-table.js';
import { DynamoDbUsageStore } from '../adapters/dynamodb-usage-store.js';
import { SlackDecisionPublisher } from '../adapters/slack-publisher.js';
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

  let local: DynamoDbLocal | undefined;
  // A signal must not leave DynamoDB Local behind: stop it, then end with the signal's status.
  const onSignal = (signal: NodeJS.Signals) => {
    progress.done();
    err(`kms-guard: stopped by ${signal}`);
    void (local?.stop() ?? Promise.resolve()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (args.endpoint === undefined) {
      progress.update('starting DynamoDB Local…', 0);
      local = await startDynamoDbLocal().catch((error: unknown) => {
        throw new Error(`DynamoDB Local did not start (it needs Java 17 or later): ${describeFailure(error)}`);
      });
    }
    const endpoint = args.endpoint ?? local?.endpoint ?? '';
    // DynamoDB Local (ours, or one on this machine) accepts any credentials; a real endpoint uses the default chain.
    const client = new DynamoDBClient({
      region: args.region,
      endpoint,
      ...(isLoopback(endpoint) ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    });
    const ownTable = args.table === undefined;
    const tableName = args.table ?? `kms-guard-replay-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
    try {
      await ensureTable(client, tableName).catch((error: unknown) => {
        throw new Error(`could not create the table ${tableName} at the DynamoDB endpoint ${endpoint}: ${describeFailure(error)}`);
      });
      return await replayInto(args, client, tableName, { out, err, progress });
    } finally {
      if (ownTable && local === undefined) {
        // Ours, on a real endpoint: the run's history goes with it (name one with --table to keep it).
        await client.send(new DeleteTableCommand({ TableName: tableName })).catch((error: unknown) => {
          err(`kms-guard: could not delete the table ${tableName} this run created: ${describeFailure(error)}`);
        });
      }
      client.destroy();
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    progress.done();
    await local?.stop();
  }
};

interface Output {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly progress: ProgressBar;
}

const replayInto = async (args: ReplayArgs, client: DynamoDBClient, tableName: string, { out, err, progress }: Output): Promise<number> => {
  const documents = createDocumentClient(client);
  const usage = new DynamoDbUsageStore(documents, tableName);
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
  let read = 0;
  const summary = await replay(
    {
      usage,
      grants: new DynamoDbGrantStore(documents, tableName),
      decisions: new DynamoDbDecisionStore(documents, tableName),
      customKeyStores: new DynamoDbCustomKeyStoreRegistry(documents, tableName),
      publisher: printer,
      policy: args.policy,
    },
    args.paths,
    args.now,
    {
      onRecord: (record) => {
        if (record.outcome.kind === 'rejected') {
          progress.done();
          err(`rejected: ${record.outcome.error.message}`);
        }
        progress.update('reading', (read += 1));
      },
      onUnresolvedKey: (origin, event) => {
        progress.done();
        err(`no key: ${origin.source}${origin.position === undefined ? '' : ` ${origin.position}`}: ${event.eventName} names no key the guard can resolve (${event.unresolvedKey ?? ''}): it counts for no key`);
      },
      onEventFailed: (failure) => {
        progress.done();
        err(`failed: ${failure.where}: ${failure.what}: ${failure.message}`);
      },
      onEventProcessed: (done, total) => progress.update('replaying', done, total),
    },
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

const isLoopback = (endpoint: string): boolean => {
  if (endpoint === '') return false;
  const { hostname } = new URL(endpoint);
  return hostname === 'localhost' || hostname === '[::1]' || hostname.startsWith('127.');
};

/** Creates the table with the production schema, or uses it as it is when --table names one that exists. */
const ensureTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  const definition = tableDefinition(tableName);
  try {
    await client.send(new CreateTableCommand(definition.createTable));
  } catch (error) {
    if (error instanceof ResourceInUseException) return;
    throw error;
  }
  // A real endpoint creates tables asynchronously.
  await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true } }),
  );
};
