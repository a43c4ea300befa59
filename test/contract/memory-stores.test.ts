/** The store contract against the in-memory store, `kms-guard replay`'s default. */
import { createMemoryStores } from '../../lib/adapters/memory-stores.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('the in-memory store', async () => createMemoryStores());
