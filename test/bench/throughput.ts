/**
 * The usage tracker's real handler path into DynamoDB Local over the synthetic stream (the production path's
 * figures: writes per (key, batch)). Only the time spent inside the handler is counted; generating the stream is not.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { createDocumentClient, createTable } from '../../lib/adapters/dynamodb-table.js';
import { DynamoDbUsageStore, type UsageStoreOptions } from '../../lib/adapters/dynamodb-usage-store.js';
import type { RecordResult, UsageStore } from '../../lib/domain/ports.js';
import { buildUsageTrackerHandler } from '../../lib/handlers/usage-tracker.js';
import { sqsBatches, type StreamOptions } from './synthetic-stream.js';

export interface TrackerFigures {
  readonly messages: number;
  readonly batches: number;
  readonly failedItems: number;
  readonly seconds: number;
  /** Sum of RecordResult over the batches: writes issued, distinct keys per batch, duplicates seen. */
  readonly totals: RecordResult;
  /** Time inside the store's record(): the DynamoDB part of the handler's time. */
  readonly storeSeconds: number;
  /** Per DynamoDB command: calls and milliseconds between sending the request and its parsed response. */
  readonly commands: Record<string, { calls: number; ms: number }>;
}

/** Wraps a store to sum what record() reports and how long it takes. */
class CountingStore implements UsageStore {
  totals = { recorded: 0, duplicates: 0, writes: 0, keyBatches: 0 };
  milliseconds = 0;
  constructor(private readonly inner: UsageStore) {}
  async record(events: Parameters<UsageStore['record']>[0]): Promise<RecordResult> {
    const started = performance.now();
    try {
      const result = await this.inner.record(events);
      this.totals.recorded += result.recorded;
      this.totals.duplicates += result.duplicates;
      this.totals.writes += result.writes;
      this.totals.keyBatches += result.keyBatches;
      return result;
    } finally {
      this.milliseconds += performance.now() - started;
    }
  }
  getKey = (keyArn: string) => this.inner.getKey(keyArn);
  getUsage = (keyArn: string) => this.inner.getUsage(keyArn);
  listKeyArns = () => this.inner.listKeyArns();
  listKeysPendingDeletion = () => this.inner.listKeysPendingDeletion();
  getCoverage = (accountId: string, region: string) => this.inner.getCoverage(accountId, region);
}

const context = {
  functionName: 'kms-guard-usage-tracker',
  awsRequestId: 'bench',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:kms-guard-usage-tracker',
  getRemainingTimeInMillis: () => 900_000,
} as unknown as Context;

export interface TrackerOptions {
  readonly endpoint: string;
  readonly tableName: string;
  readonly store?: UsageStoreOptions;
  /** Batches handled at once, as several Lambda instances would (the event source's maxConcurrency). */
  readonly parallelBatches?: number;
}

export const measureTracker = async (stream: StreamOptions, options: TrackerOptions): Promise<TrackerFigures> => {
  // Configured as production's client (lib/runtime.ts: maxAttempts 5), pointed at DynamoDB Local.
  const client = new DynamoDBClient({
    endpoint: options.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 5,
  });
  const commands: Record<string, { calls: number; ms: number }> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        const entry = (commands[context.commandName ?? '?'] ??= { calls: 0, ms: 0 });
        entry.calls += 1;
        entry.ms += performance.now() - started;
      }
    },
    { step: 'initialize', name: 'benchTiming' },
  );
  const documents = createDocumentClient(client);
  try {
    await createTable(documents, options.tableName);
    const store = new CountingStore(new DynamoDbUsageStore(documents, options.tableName, options.store));
    const handlers = Array.from({ length: options.parallelBatches ?? 1 }, () =>
      buildUsageTrackerHandler({ usage: store, logger: new Logger({ serviceName: 'kms-guard-bench', logLevel: 'SILENT' }) }),
    );
    let messages = 0;
    let batches = 0;
    let failedItems = 0;
    let elapsed = 0;
    let round: { Records: import('aws-lambda').SQSRecord[] }[] = [];
    const runRound = async () => {
      const started = performance.now();
      const responses = await Promise.all(round.map((batch, index) => handlers[index]?.(batch, context)));
      elapsed += performance.now() - started;
      for (const response of responses) failedItems += response?.batchItemFailures.length ?? 0;
      round = [];
    };
    for (const batch of sqsBatches(stream)) {
      messages += batch.Records.length;
      batches += 1;
      round.push(batch);
      if (round.length === handlers.length) await runRound();
    }
    if (round.length > 0) await runRound();
    return { messages, batches, failedItems, seconds: elapsed / 1000, totals: { ...store.totals }, storeSeconds: store.milliseconds / 1000, commands };
  } finally {
    client.destroy();
  }
};
