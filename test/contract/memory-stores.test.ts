/** The store contract against the in-memory store, `kms-guard replay`'s default: all in memory, and spilling. */
import { createMemoryStores } from '../../lib/adapters/memory-stores.js';
import { MemoryTable } from '../../lib/adapters/memory-table.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('the in-memory store', async () => createMemoryStores());

// A budget of one byte: every key's usage but the one just written goes to the spill file and comes back when read.
describeStoreContract('the in-memory store spilling to disk', async () => createMemoryStores(new MemoryTable({ residentBytes: 1 })));
