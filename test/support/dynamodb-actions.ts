/**
 * The IAM actions a DynamoDB client's calls need, recorded as they are sent (a middleware on the client), so a test
 * can hold an adapter's real calls against the actions infra grants for it (lib/adapters/dynamodb-actions.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createDocumentClient } from '../../lib/adapters/dynamodb-table.js';

/** A transaction is authorised item by item, by the action of each item's kind. */
const TRANSACT_ITEM_ACTIONS: Readonly<Record<string, string>> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

export const iamActionsOf = (commandName: string, input: unknown): string[] => {
  const operation = commandName.replace(/Command$/, '');
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const items = ((input as { TransactItems?: Record<string, unknown>[] }).TransactItems ?? []);
    return items.flatMap((item) => Object.keys(item).map((kind) => TRANSACT_ITEM_ACTIONS[kind] ?? `dynamodb:?${kind}`));
  }
  return [`dynamodb:${operation}`];
};

export interface RecordingClient {
  readonly documents: DynamoDBDocumentClient;
  readonly base: DynamoDBClient;
  /** Every action the calls so far needed. */
  readonly actions: Set<string>;
  /** The partition key (pk) value of every item read or written by key (what dynamodb:LeadingKeys sees). */
  readonly partitions: Set<string>;
}

/** pk of a Key or Item, marshalled ({S: …}) as the base client sends it. */
const partitionOf = (input: unknown): string | undefined => {
  const { Key, Item } = input as { Key?: Record<string, { S?: string }>; Item?: Record<string, { S?: string }> };
  return (Key ?? Item)?.pk?.S;
};

export const recordingDynamoClient = (): RecordingClient => {
  const actions = new Set<string>();
  const partitions = new Set<string>();
  const base = new DynamoDBClient({
    endpoint: inject('dynamoEndpoint'),
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
  });
  base.middlewareStack.add(
    (next, context) => async (args) => {
      for (const action of iamActionsOf(context.commandName ?? 'unknown', args.input)) actions.add(action);
      const partition = partitionOf(args.input);
      if (partition !== undefined) partitions.add(partition);
      return next(args);
    },
    { step: 'initialize', name: 'recordIamActions' },
  );
  return { documents: createDocumentClient(base), base, actions, partitions };
};
