/**
 * Production facts about custom key stores: KMS DescribeCustomKeyStores (connection state, cluster) and
 * CloudHSM DescribeClusters (HSMs), falling back on the event ledger for a store KMS no longer knows
 * (it was just deleted). Events are still folded into the ledger, which is the memory replay relies on.
 * Each question goes to the account and Region it is about (custom-key-store-clients.ts): a member account's
 * stores are described with the remediation role assumed there.
 */
import { DescribeClustersCommand, type DescribeClustersCommandOutput } from '@aws-sdk/client-cloudhsm-v2';
import { CustomKeyStoreNotFoundException, DescribeCustomKeyStoresCommand, type CustomKeyStoresListEntry } from '@aws-sdk/client-kms';
import type { CustomKeyStoreRegistry, CustomKeyStoreView, StoreScope } from '../domain/alerts/custom-key-store-registry.js';
import type { KmsEvent } from '../domain/kms-event.js';
import type { CustomKeyStoreClients } from './custom-key-store-clients.js';

/**
 * The one CloudHSM call used. A CloudHSMV2Client satisfies it; the narrow type keeps this adapter (and its
 * tests) independent of that client's older smithy typings.
 */
export interface ClusterDescriber {
  send(command: DescribeClustersCommand): Promise<DescribeClustersCommandOutput>;
}

/** HSMs in these states no longer serve the cluster. */
const GONE_HSM_STATES = new Set(['DELETE_IN_PROGRESS', 'DELETED']);

export class LiveCustomKeyStoreRegistry implements CustomKeyStoreRegistry {
  constructor(
    private readonly clientsFor: (scope?: StoreScope) => CustomKeyStoreClients,
    private readonly ledger: CustomKeyStoreRegistry,
  ) {}

  observe(event: KmsEvent): Promise<void> {
    return this.ledger.observe(event);
  }

  async store(customKeyStoreId: string, scope?: StoreScope): Promise<CustomKeyStoreView | undefined> {
    try {
      const { CustomKeyStores } = await this.clientsFor(scope).kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: customKeyStoreId }));
      const entry = CustomKeyStores?.[0];
      return entry === undefined ? this.ledger.store(customKeyStoreId) : toView(entry);
    } catch (error) {
      if (error instanceof CustomKeyStoreNotFoundException) return this.ledger.store(customKeyStoreId);
      throw error;
    }
  }

  async storesBackedBy(cloudHsmClusterId: string, scope?: StoreScope): Promise<CustomKeyStoreView[]> {
    const { kms } = this.clientsFor(scope);
    const stores: CustomKeyStoreView[] = [];
    let marker: string | undefined;
    do {
      const page = await kms.send(new DescribeCustomKeyStoresCommand({ Marker: marker }));
      for (const entry of page.CustomKeyStores ?? []) {
        if (entry.CloudHsmClusterId === cloudHsmClusterId) stores.push(toView(entry));
      }
      marker = page.Truncated === true ? page.NextMarker : undefined;
    } while (marker !== undefined);
    return stores;
  }

  async activeHsmCount(cloudHsmClusterId: string, scope?: StoreScope): Promise<number | undefined> {
    const { Clusters } = await this.clientsFor(scope).cloudHsm.send(new DescribeClustersCommand({ Filters: { clusterIds: [cloudHsmClusterId] } }));
    const cluster = Clusters?.find((candidate) => candidate.ClusterId === cloudHsmClusterId);
    if (cluster === undefined) return undefined;
    return (cluster.Hsms ?? []).filter((hsm) => !GONE_HSM_STATES.has(hsm.State ?? '')).length;
  }
}

const toView = (entry: CustomKeyStoresListEntry): CustomKeyStoreView => ({
  customKeyStoreId: entry.CustomKeyStoreId ?? 'unknown',
  ...(entry.CloudHsmClusterId === undefined ? {} : { cloudHsmClusterId: entry.CloudHsmClusterId }),
  ...(entry.ConnectionState === undefined ? {} : { connectionState: entry.ConnectionState }),
  ...(entry.CustomKeyStoreType === undefined ? {} : { customKeyStoreType: entry.CustomKeyStoreType }),
});
