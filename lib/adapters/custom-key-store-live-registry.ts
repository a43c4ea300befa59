/**
 * Production facts about custom key stores: KMS DescribeCustomKeyStores (connection state, cluster) and
 * CloudHSM DescribeClusters (HSMs), falling back on the event ledger for a store KMS no longer knows
 * (it was just deleted). Events are still folded into the ledger, which is the memory replay relies on.
 * Clients are for the guard's own account and Region.
 */
import { DescribeClustersCommand, type DescribeClustersCommandOutput } from '@aws-sdk/client-cloudhsm-v2';
import { CustomKeyStoreNotFoundException, DescribeCustomKeyStoresCommand, type CustomKeyStoresListEntry, type KMSClient } from '@aws-sdk/client-kms';
import type { CustomKeyStoreRegistry, CustomKeyStoreView } from '../domain/alerts/custom-key-store-registry.js';
import type { KmsEvent } from '../domain/kms-event.js';

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
    private readonly kms: KMSClient,
    private readonly cloudHsm: ClusterDescriber,
    private readonly ledger: CustomKeyStoreRegistry,
  ) {}

  observe(event: KmsEvent): Promise<void> {
    return this.ledger.observe(event);
  }

  async store(customKeyStoreId: string): Promise<CustomKeyStoreView | undefined> {
    try {
      const { CustomKeyStores } = await this.kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: customKeyStoreId }));
      const entry = CustomKeyStores?.[0];
      return entry === undefined ? this.ledger.store(customKeyStoreId) : toView(entry);
    } catch (error) {
      if (error instanceof CustomKeyStoreNotFoundException) return this.ledger.store(customKeyStoreId);
      throw error;
    }
  }

  async storesBackedBy(cloudHsmClusterId: string): Promise<CustomKeyStoreView[]> {
    const stores: CustomKeyStoreView[] = [];
    let marker: string | undefined;
    do {
      const page = await this.kms.send(new DescribeCustomKeyStoresCommand({ Marker: marker }));
      for (const entry of page.CustomKeyStores ?? []) {
        if (entry.CloudHsmClusterId === cloudHsmClusterId) stores.push(toView(entry));
      }
      marker = page.Truncated === true ? page.NextMarker : undefined;
    } while (marker !== undefined);
    return stores;
  }

  async activeHsmCount(cloudHsmClusterId: string): Promise<number | undefined> {
    const { Clusters } = await this.cloudHsm.send(new DescribeClustersCommand({ Filters: { clusterIds: [cloudHsmClusterId] } }));
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
