/** Wires `kms-guard replay`: DynamoDB Local (or --endpoint), the stores, printing and Slack; then replays. */
import { CreateTableCommand, DynamoDBClient, ResourceInUseException, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { Decision } from '../domain/model.js';
import type { DecisionPublisher } from '../domain/ports.js';
import { DynamoDbDecisionStore } from '../adapters/dynamodb-decision-store.js';
import { DynamoDbGrantStore } from '../adapters/dynamodb-grant-store.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../adapters/dynamodb-local.js';
import { createDocumentClient, tableDefinition } from '../adapters/dynamodb-table.js';
import { DynamoDbUsageStore } from '../adapters/dynamodb-usage-store.js';
import { DynamoDbCustomKeyStoreRegistry } from '../adapters/dynamodb-custom-key-store-registry.js';
import { SlackDecisionPublisher } from '../adapters/slack-publisher.js';
import { decisionLine, decisionText, keyLines, keyText } from '../replay/report.js';
import { replay } from '../replay/replay.js';
import type { ReplayArgs } from './args.js';
import { ProgressBar } from './progress.js';

export const runReplay = async (args: ReplayArgs): Promise<number> => {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const progress = ProgressBar.for(process.stderr, args.progress);
  let local: DynamoDbLocal | undefined;
  if (args.endpoint === undefined) {
    progress.update('starting DynamoDB Local…', 0);
    local = await startDynamoDbLocal();
  }
  const endpoint = args.endpoint ?? local?.endpoint;
  // DynamoDB Local (ours, or one on this machine) accepts any credentials; a real endpoint uses the default chain.
  const client = new DynamoDBClient({
    region: args.region,
    endpoint,
    ...(endpoint !== undefined && isLoopback(endpoint) ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  try {
    const tableName = args.table ?? (local === undefined ? 'kms-guard' : 'kms-guard-replay');
    await ensureTable(client, tableName);
    const documents = createDocumentClient(client);
    const usage = new DynamoDbUsageStore(documents, tableName);
    const slack = args.slackWebhook === undefined ? undefined : new SlackDecisionPublisher(args.slackWebhook);
    let undelivered = 0;
    const printer: DecisionPublisher = {
      publish: async (decisions: readonly Decision[]) => {
        progress.done();
        for (const decision of decisions) out(args.json ? JSON.stringify(decisionLine(decision)) : decisionText(decision));
        // A webhook that refuses a message must not stop the replay: say so, go on, and fail at the end.
        await slack?.publish(decisions).catch((error: unknown) => {
          undelivered += decisions.length;
          process.stderr.write(`slack: ${error instanceof Error ? error.message : String(error)}\n`);
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
            process.stderr.write(`rejected: ${record.outcome.error.message}\n`);
          }
          progress.update('reading', (read += 1));
        },
        onEventProcessed: (done, total) => progress.update('replaying', done, total),
      },
    );
    progress.done();
    const keys = await keyLines(usage);
    if (!args.json && keys.length > 0) out('\nKeys:');
    for (const line of keys) out(args.json ? JSON.stringify(line) : keyText(line));

    process.stderr.write(
      `replayed ${summary.events} events from ${summary.records} records: ${summary.skipped} not KMS (skipped), ` +
        `${summary.rejected} rejected, ${summary.duplicates} duplicates; ${summary.decisions.length} decisions, ` +
        `${keys.length} keys, ${summary.writes} DynamoDB writes\n`,
    );
    if (undelivered > 0) {
      process.stderr.write(`slack: ${undelivered} message(s) could not be delivered to the webhook\n`);
      return 3;
    }
    return summary.rejected > 0 ? 1 : 0;
  } finally {
    client.destroy();
    await local?.stop();
  }
};

const isLoopback = (endpoint: string): boolean => {
  const { hostname } = new URL(endpoint);
  return hostname === 'localhost' || hostname === '[::1]' || hostname.startsWith('127.');
};

const ensureTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  const definition = tableDefinition(tableName);
  try {
    await client.send(new CreateTableCommand(definition.createTable));
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
      }),
    );
  } catch (error) {
    // An existing table (--endpoint/--table pointing at a real one) is used as it is.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
};
