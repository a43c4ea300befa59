/**
 * The DynamoDB actions each adapter's calls need, as IAM names. infra grants a function the actions of the stores its
 * wiring builds (infra/function-access.ts), and the store contract (test/contract/dynamodb-stores.test.ts) records what
 * each adapter really sends and fails when the two differ. Nothing here scans, deletes or batch-writes except as noted.
 */
export const DYNAMODB_ACTIONS = {
  /** Optimistic read-modify-write (GetItem, conditional PutItem), BatchGetItem prefetch, coverage UpdateItem, Query. */
  usage: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  /**
   * UsageStore.listKeyArns scans for every key the store knows. Only `kms-guard replay` calls it: in Lambda the
   * grant expirer lists keys from KMS, so no function is granted Scan.
   */
  usageKeyList: ['dynamodb:Scan'],
  grants: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
  decisions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  coverage: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  customKeyStores: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  /**
   * Powertools idempotency (the notifier): GetItem, a conditional PutItem, UpdateItem on completion and DeleteItem
   * when the post failed, only on the partition of its records (staticPkValue NOTIFIED).
   */
  notifierIdempotency: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
} as const satisfies Record<string, readonly string[]>;

export type TableStoreName = keyof typeof DYNAMODB_ACTIONS;

/** The partition key value of every notifier idempotency record (lib/handlers/notifier.ts). */
export const NOTIFIER_PARTITION = 'NOTIFIED';

/** The actions of a set of stores, sorted, each once. */
export const dynamoDbActionsOf = (stores: readonly TableStoreName[]): string[] =>
  [...new Set(stores.flatMap((store) => DYNAMODB_ACTIONS[store]))].sort();
