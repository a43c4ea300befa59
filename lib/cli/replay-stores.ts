/**
 * The stores a replay writes its history into: in the process (the default: nothing to start, no Java), DynamoDB
 * Local started for the run (`--store dynamodb-local`), or a DynamoDB endpoint (`--endpoint`, with `--table`).
 */
import { randomBytes } from 'node:crypto';
import { createMemoryStores, type Stores } from '../adapters/memory-stores.js';
import { MemoryTable } from '../adapters/memory-table.js';
import { storeResidentBytes } from '../replay/memory-budget.js';
import type { ReplayArgs } from './args.js';

export interface ReplayStores {
  readonly stores: Stores;
  /** Table writes so far (PutItem/UpdateItem), when the store counts them itself. */
  readonly writes?: () => number;
  /** Ends the store: deletes the run's own table, stops DynamoDB Local. Safe to call twice. */
  close(report: (line: string) => void): Promise<void>;
}

export const openReplayStores = async (args: ReplayArgs, onStarting: () => void): Promise<ReplayStores> => {
  if (args.store === 'memory') {
    const stores = createMemoryStores(new MemoryTable({ residentBytes: storeResidentBytes(args.memoryBudgetMb) }));
    return { stores, writes: () => stores.table.writes, close: async () => stores.table.close() };
  }
  // DynamoDB's SDK and DynamoDB Local are loaded only when asked for.
  const { openDynamoDbStores } = await import('./replay-dynamodb.js');
  return openDynamoDbStores(args, onStarting);
};

/** A fresh table name per run, so a run never writes into a table it did not create. */
export const freshTableName = (): string =>
  `kms-guard-replay-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
