/**
 * Port: what the guard knows about custom key stores and the CloudHSM clusters behind them. In replay
 * the facts come from CloudTrail events alone (a DynamoDB ledger); in production KMS
 * DescribeCustomKeyStores and CloudHSM DescribeClusters answer, with the ledger as memory.
 */
import type { KmsEvent } from '../kms-event.js';

export interface CustomKeyStoreView {
  readonly customKeyStoreId: string;
  readonly cloudHsmClusterId?: string;
  /** KMS ConnectionState (CONNECTED, CONNECTING, DISCONNECTED, DISCONNECTING, FAILED), or DELETED. */
  readonly connectionState?: string;
  readonly customKeyStoreType?: string;
}

/**
 * The account and Region a store or cluster lives in (the event's). A store in a member account must be asked
 * about in that account: KMS and CloudHSM answer only for the caller's own account.
 */
export interface StoreScope {
  readonly accountId: string;
  readonly region: string;
}

export interface CustomKeyStoreRegistry {
  /**
   * Folds a successful custom-key-store or CloudHSM event into what is known (store ↔ cluster, connection
   * state, HSMs). Idempotent per event and order-safe: a late event never overwrites a newer one.
   */
  observe(event: KmsEvent): Promise<void>;
  /** The ledger ignores the scope (store and cluster ids are unique); the live registry asks that account. */
  store(customKeyStoreId: string, scope?: StoreScope): Promise<CustomKeyStoreView | undefined>;
  /** Stores whose cloudHsmClusterId is the cluster. */
  storesBackedBy(cloudHsmClusterId: string, scope?: StoreScope): Promise<CustomKeyStoreView[]>;
  /** HSMs that still count (not being deleted nor deleted); undefined when the guard cannot know. */
  activeHsmCount(cloudHsmClusterId: string, scope?: StoreScope): Promise<number | undefined>;
}
