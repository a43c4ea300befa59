/**
 * The custom key store ledger in the process, item for item as DynamoDbCustomKeyStoreRegistry keeps it on the
 * table (a store's cluster and connection state, the cluster's stores and HSMs), each attribute group replaced
 * only by a newer event, so a replayed or late event changes nothing.
 */
import { customKeyStoreIdOf, field } from '../domain/alerts/custom-key-store.js';
import type { CustomKeyStoreRegistry, CustomKeyStoreView } from '../domain/alerts/custom-key-store-registry.js';
import type { KmsEvent } from '../domain/kms-event.js';
import type { Item, ItemKey } from './dynamodb-occ.js';
import type { MemoryTable, StoredItem } from './memory-table.js';
import { CONNECTION_AFTER, hsmField, toView } from './custom-key-store-items.js';

const storeKey = (customKeyStoreId: string): ItemKey => ({ pk: `CKS#${customKeyStoreId}`, sk: 'STORE' });
const clusterPk = (clusterId: string): string => `HSMCLUSTER#${clusterId}`;


export class MemoryCustomKeyStoreRegistry implements CustomKeyStoreRegistry {
  constructor(private readonly table: MemoryTable) {}

  async observe(event: KmsEvent): Promise<void> {
    if (event.error !== undefined) return;
    if (event.eventName === 'CreateHsm') return this.observeHsm(event, 'ACTIVE');
    if (event.eventName === 'DeleteHsm') return this.observeHsm(event, 'DELETED');
    const customKeyStoreId = customKeyStoreIdOf(event);
    if (customKeyStoreId === undefined) return;
    const clusterId =
      field(event.requestParameters, 'clusterId') ?? field(event.requestParameters, 'cloudHsmClusterId') ?? field(event.additionalEventData, 'clusterId');
    if (clusterId !== undefined) {
      this.updateIfNewer(storeKey(customKeyStoreId), 'clusterAt', event.eventTime, {
        customKeyStoreId,
        cloudHsmClusterId: clusterId,
        accountId: event.accountId,
        region: event.region,
        ...(event.eventName === 'CreateCustomKeyStore' ? { customKeyStoreType: field(event.requestParameters, 'customKeyStoreType') ?? 'AWS_CLOUDHSM' } : {}),
      });
      const link = { pk: clusterPk(clusterId), sk: `CKS#${customKeyStoreId}` };
      const linked = this.table.get(link);
      this.table.put({ ...linked, ...link, linkedAt: linked?.linkedAt ?? event.eventTime });
    }
    const state = CONNECTION_AFTER[event.eventName];
    if (state !== undefined) {
      this.updateIfNewer(storeKey(customKeyStoreId), 'connectionStateAt', event.eventTime, {
        customKeyStoreId,
        connectionState: state,
        connectionEventId: event.eventId,
      });
    }
  }

  async store(customKeyStoreId: string): Promise<CustomKeyStoreView | undefined> {
    const item = this.table.get(storeKey(customKeyStoreId));
    return item === undefined ? undefined : toView(item);
  }

  async storesBackedBy(cloudHsmClusterId: string): Promise<CustomKeyStoreView[]> {
    const links = this.table.query(clusterPk(cloudHsmClusterId), 'CKS#');
    const stores = await Promise.all(links.map((item) => this.store(item.sk.slice('CKS#'.length))));
    return stores.filter(
      (store): store is CustomKeyStoreView => store !== undefined && store.connectionState !== 'DELETED' && store.cloudHsmClusterId === cloudHsmClusterId,
    );
  }

  async activeHsmCount(cloudHsmClusterId: string): Promise<number | undefined> {
    const hsms = this.table.query(clusterPk(cloudHsmClusterId), 'HSM#');
    if (!hsms.some((hsm) => hsm.created === true)) return undefined;
    return hsms.filter((hsm) => hsm.state === 'ACTIVE').length;
  }

  private observeHsm(event: KmsEvent, state: 'ACTIVE' | 'DELETED'): void {
    const clusterId = field(event.requestParameters, 'clusterId') ?? hsmField(event.responseElements, 'clusterId');
    if (clusterId === undefined) return;
    const hsmId =
      field(event.requestParameters, 'hsmId') ??
      field(event.responseElements, 'hsmId') ??
      hsmField(event.responseElements, 'hsmId') ??
      this.findHsmByEni(clusterId, event) ??
      `unidentified-${event.eventId}`;
    this.updateIfNewer({ pk: clusterPk(clusterId), sk: `HSM#${hsmId}` }, 'at', event.eventTime, {
      state,
      eventId: event.eventId,
      ...(state === 'ACTIVE'
        ? { created: true, eniId: hsmField(event.responseElements, 'eniId') ?? null, eniIp: hsmField(event.responseElements, 'eniIp') ?? null }
        : {}),
    });
  }

  private findHsmByEni(clusterId: string, event: KmsEvent): string | undefined {
    const eniId = field(event.requestParameters, 'eniId');
    const eniIp = field(event.requestParameters, 'eniIp');
    if (eniId === undefined && eniIp === undefined) return undefined;
    const match = this.table
      .query(clusterPk(clusterId), 'HSM#')
      .find((hsm) => (eniId !== undefined && hsm.eniId === eniId) || (eniIp !== undefined && hsm.eniIp === eniIp));
    return match?.sk.slice('HSM#'.length);
  }

  /** UpdateItem with "attribute_not_exists(at) OR at < :at": sets the attributes and the time, or nothing. */
  private updateIfNewer(key: ItemKey, timeAttribute: string, at: string, attributes: Item): void {
    const stored: StoredItem | undefined = this.table.get(key);
    const current = stored?.[timeAttribute];
    if (typeof current === 'string' && !(current < at)) return;
    this.table.put({ ...stored, ...key, ...attributes, [timeAttribute]: at });
  }
}
