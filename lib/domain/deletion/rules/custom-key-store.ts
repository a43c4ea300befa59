/** Modifier: the key material lives in a CloudHSM cluster or an external key store, outside KMS's own HSMs. */
import { NOT_APPLICABLE, type DeletionModifier } from '../rule.js';

const HSM_ORIGINS: ReadonlySet<string> = new Set(['AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE']);

export const customKeyStore: DeletionModifier = (evidence) => {
  const inStore = evidence.customKeyStoreId !== undefined || (evidence.origin !== undefined && HSM_ORIGINS.has(evidence.origin));
  if (!inStore) return NOT_APPLICABLE;
  return {
    applies: true,
    reason: 'custom-key-store',
    facts: {
      ...(evidence.origin === undefined ? {} : { origin: evidence.origin }),
      ...(evidence.customKeyStoreId === undefined ? {} : { customKeyStoreId: evidence.customKeyStoreId }),
    },
  };
};
