/** What both custom key store ledgers (DynamoDB and in memory) read from events and items, written once. */
import { field } from '../domain/alerts/custom-key-store.js';
import type { CustomKeyStoreView } from '../domain/alerts/custom-key-store-registry.js';

/** CreateHsm answers with the HSM object: {"hsm": {"hsmId", "clusterId", "eniId", "eniIp", ...}}. */
export const hsmField = (responseElements: Readonly<Record<string, unknown>>, name: string): string | undefined => {
  const hsm = responseElements.hsm ?? responseElements.Hsm;
  return typeof hsm === 'object' && hsm !== null ? field(hsm as Record<string, unknown>, name) : undefined;
};

/** A store item (pk CKS#<id>) as the registry's view of it. */
export const toView = (item: Record<string, unknown>): CustomKeyStoreView => ({
  customKeyStoreId: String(item.customKeyStoreId ?? String(item.pk).slice('CKS#'.length)),
  ...(typeof item.cloudHsmClusterId === 'string' ? { cloudHsmClusterId: item.cloudHsmClusterId } : {}),
  ...(typeof item.connectionState === 'string' ? { connectionState: item.connectionState } : {}),
  ...(typeof item.customKeyStoreType === 'string' ? { customKeyStoreType: item.customKeyStoreType } : {}),
});

/** The connection state a successful custom key store call leaves behind. */
export const CONNECTION_AFTER: Readonly<Record<string, string>> = {
  CreateCustomKeyStore: 'DISCONNECTED',
  // Connecting is asynchronous: CloudTrail records the request, KMS reports CONNECTED (or FAILED) later.
  ConnectCustomKeyStore: 'CONNECTING',
  DisconnectCustomKeyStore: 'DISCONNECTED',
  DeleteCustomKeyStore: 'DELETED',
};
