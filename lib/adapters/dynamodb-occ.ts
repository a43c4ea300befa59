/**
 * Read-modify-write of one item under optimistic concurrency: read it, compute the new item, write it only if
 * nobody wrote in between (a `version` attribute). A lost race re-reads and recomputes after a jittered pause.
 * The first read may be handed in (from a BatchGetItem of many items); only a lost race reads the item alone.
 * Throttling and 5xx are the SDK's own retries (the client's maxAttempts); this layer only handles races.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { KmsGuardError } from '../errors.js';

export type Item = Record<string, unknown>;

export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

export interface OccOptions {
  /** Attempts before giving up on a contended item. */
  readonly maxAttempts?: number;
  /** Base pause in ms; each retry waits a random time up to base * 2^attempt (full jitter). */
  readonly baseDelayMs?: number;
}

export interface OccResult {
  /** Conditional writes issued, including the ones that lost a race. */
  readonly writes: number;
  readonly written: boolean;
}

/** An item as read before the first attempt; `stored` is undefined when the item was absent. */
export interface Prefetched {
  readonly stored: Item | undefined;
}

export class OccConflictError extends KmsGuardError {
  constructor(readonly key: ItemKey, readonly attempts: number) {
    super(`item ${key.pk} / ${key.sk} was still contended after ${attempts} attempts`);
  }
}

/**
 * `modify` gets the stored item (undefined when absent) and returns the item to write without key and
 * version, or undefined when nothing changes (then nothing is written). It may run more than once.
 */
export const readModifyWrite = async (
  client: DynamoDBDocumentClient,
  tableName: string,
  key: ItemKey,
  modify: (stored: Item | undefined) => Item | undefined,
  options: OccOptions = {},
  prefetched?: Prefetched,
): Promise<OccResult> => {
  const maxAttempts = options.maxAttempts ?? 12;
  const baseDelayMs = options.baseDelayMs ?? 10;
  let writes = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const stored =
      attempt === 1 && prefetched !== undefined
        ? prefetched.stored
        : (await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
    const next = modify(stored);
    if (next === undefined) return { writes, written: false };
    const version = typeof stored?.version === 'number' ? stored.version : undefined;
    writes += 1;
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...next, ...key, version: (version ?? 0) + 1 },
          ...versionCondition(stored, version),
        }),
      );
      return { writes, written: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      await sleep(Math.random() * baseDelayMs * 2 ** Math.min(attempt, 6));
    }
  }
  throw new OccConflictError(key, maxAttempts);
};

const versionCondition = (stored: Item | undefined, version: number | undefined) => {
  if (stored === undefined) return { ConditionExpression: 'attribute_not_exists(pk)' };
  if (version === undefined) return { ConditionExpression: 'attribute_not_exists(#version)', ExpressionAttributeNames: { '#version': 'version' } };
  return {
    ConditionExpression: '#version = :version',
    ExpressionAttributeNames: { '#version': 'version' },
    ExpressionAttributeValues: { ':version': version },
  };
};

/** BatchGetItem's limit of keys per request. */
export const BATCH_GET_LIMIT = 100;

export const itemKeyId = (key: ItemKey): string => `${key.pk}\n${key.sk}`;

/**
 * Consistent reads of up to BATCH_GET_LIMIT distinct keys in one BatchGetItem, by itemKeyId. Keys DynamoDB
 * leaves unprocessed (throttling, the 16 MB response cap) are asked again after a jittered pause; any still
 * unprocessed after maxAttempts are absent from the map, so the caller reads them one at a time.
 */
export const batchGetItems = async (
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly ItemKey[],
  options: OccOptions = {},
): Promise<Map<string, Prefetched>> => {
  const maxAttempts = options.maxAttempts ?? 12;
  const baseDelayMs = options.baseDelayMs ?? 10;
  const found = new Map<string, Item>();
  const read = new Map<string, Prefetched>();
  let pending: Record<string, unknown>[] = keys.map((key) => ({ pk: key.pk, sk: key.sk }));
  for (let attempt = 1; attempt <= maxAttempts && pending.length > 0; attempt += 1) {
    if (attempt > 1) await sleep(Math.random() * baseDelayMs * 2 ** Math.min(attempt, 6));
    const output = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
    for (const item of output.Responses?.[tableName] ?? []) {
      if (typeof item.pk === 'string' && typeof item.sk === 'string') found.set(itemKeyId({ pk: item.pk, sk: item.sk }), item);
    }
    const unprocessed = output.UnprocessedKeys?.[tableName]?.Keys ?? [];
    const left = new Set(unprocessed.map((key) => itemKeyId({ pk: String(key.pk), sk: String(key.sk) })));
    for (const key of pending) {
      const id = itemKeyId({ pk: String(key.pk), sk: String(key.sk) });
      if (!left.has(id)) read.set(id, { stored: found.get(id) });
    }
    pending = unprocessed;
  }
  return read;
};
