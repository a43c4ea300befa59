/**
 * The world the guard's use cases and handlers run in during integration tests: a fresh DynamoDB Local table
 * behind the real stores, the local KMS endpoint behind the real SDK and KmsKeyDirectory, and a publisher
 * that collects what it is given. One per test; `close()` releases it.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbDecisionStore } from '../../lib/adapters/dynamodb-decision-store.js';
import { DynamoDbGrantStore } from '../../lib/adapters/dynamodb-grant-store.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { KmsKeyDirectory } from '../../lib/adapters/kms-key-directory.js';
import type { Decision } from '../../lib/domain/model.js';
import type { Clock, DecisionPublisher, KeyDirectory } from '../../lib/domain/ports.js';
import type { HistorySettle } from '../../lib/use-cases/repair-key.js';
import { createTestTable, dynamoTestClient } from './dynamodb-local.js';
import { kmsClientFor, startFakeKms, type FakeKms } from './fake-kms-server.js';

/** The ports the use cases and handlers take, wired to one world. */
export interface GuardWorldPorts {
  readonly usage: DynamoDbUsageStore;
  readonly grants: DynamoDbGrantStore;
  readonly decisions: DynamoDbDecisionStore;
  readonly publisher: DecisionPublisher;
  readonly clock: Clock;
  readonly keyDirectoryFor: (keyArn: string) => KeyDirectory;
  readonly keyDirectories: () => KeyDirectory[];
  /** No waiting for the usage pipeline: tests record what the tracker would have recorded before they act. */
  readonly historySettle: HistorySettle;
}

export interface GuardWorld extends GuardWorldPorts {
  readonly dynamo: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly fake: FakeKms;
  readonly kms: KMSClient;
  readonly directory: KmsKeyDirectory;
  /** Every decision published, in order; tests may empty it. */
  readonly published: Decision[];
  readonly ports: GuardWorldPorts;
  close(): Promise<void>;
}

/** `now` is read on every call, so a test can move the clock of the stores, the directory and the fake KMS together. */
export const startGuardWorld = async (options: { readonly now: () => Date }): Promise<GuardWorld> => {
  const clock: Clock = { now: options.now };
  const dynamo = dynamoTestClient();
  const tableName = await createTestTable(dynamo);
  const fake = await startFakeKms({ now: options.now });
  const kms = kmsClientFor(fake);
  const directory = new KmsKeyDirectory(kms, { clock });
  const published: Decision[] = [];
  const ports: GuardWorldPorts = {
    usage: new DynamoDbUsageStore(dynamo, tableName),
    grants: new DynamoDbGrantStore(dynamo, tableName),
    decisions: new DynamoDbDecisionStore(dynamo, tableName),
    publisher: { publish: async (batch) => void published.push(...batch) },
    clock,
    keyDirectoryFor: () => directory,
    keyDirectories: () => [directory],
    historySettle: { timeoutMs: 0, intervalMs: 0 },
  };
  return {
    ...ports,
    dynamo,
    tableName,
    fake,
    kms,
    directory,
    published,
    ports,
    close: async () => {
      kms.destroy();
      await fake.close();
      dynamo.destroy();
    },
  };
};
