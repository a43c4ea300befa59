/** Every store port on one in-memory table, as `kms-guard replay` uses them by default. */
import type { CustomKeyStoreRegistry } from '../domain/alerts/custom-key-store-registry.js';
import type { CoverageStore, DecisionStore, GrantStore, UsageStore } from '../domain/ports.js';
import { MemoryCoverageStore } from './memory-coverage-store.js';
import { MemoryCustomKeyStoreRegistry } from './memory-custom-key-store-registry.js';
import { MemoryDecisionStore } from './memory-decision-store.js';
import { MemoryGrantStore } from './memory-grant-store.js';
import { MemoryTable } from './memory-table.js';
import { MemoryUsageStore } from './memory-usage-store.js';

export interface Stores {
  readonly usage: UsageStore;
  readonly grants: GrantStore;
  readonly decisions: DecisionStore;
  readonly coverage: CoverageStore;
  readonly customKeyStores: CustomKeyStoreRegistry;
}

export const createMemoryStores = (table: MemoryTable = new MemoryTable()): Stores & { readonly table: MemoryTable } => ({
  table,
  usage: new MemoryUsageStore(table),
  grants: new MemoryGrantStore(table),
  decisions: new MemoryDecisionStore(table),
  coverage: new MemoryCoverageStore(table),
  customKeyStores: new MemoryCustomKeyStoreRegistry(table),
});
