/**
 * custom-key-store: changes that can make every key in an HSM-backed store unusable at once. KMS needs a
 * connected store and at least two active HSMs in its CloudHSM cluster to create keys and stay resilient;
 * a disconnected or deleted store fails every cryptographic call on its keys.
 * Store-level decisions name the store as `arn:aws:kms:<region>:<account>:custom-key-store/<id>`.
 */
import type { KmsEvent } from '../kms-event.js';
import type { CustomKeyStoreView } from './custom-key-store-registry.js';
import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type RuleResult } from './rule-result.js';

/** KMS requires this many active HSMs in a cluster behind a custom key store. */
export const MINIMUM_HSMS = 2;
const CONNECTED_STATES = new Set(['CONNECTED', 'CONNECTING']);

export const customKeyStoreArn = (region: string, accountId: string, customKeyStoreId: string): string =>
  `arn:aws:kms:${region}:${accountId}:custom-key-store/${customKeyStoreId}`;

/** A string field of requestParameters/responseElements, in CloudTrail's camelCase or the API's PascalCase. */
export const field = (bag: Readonly<Record<string, unknown>>, name: string): string | undefined => {
  const value = bag[name] ?? bag[name.charAt(0).toUpperCase() + name.slice(1)];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

export const customKeyStoreIdOf = (event: KmsEvent): string | undefined =>
  field(event.requestParameters, 'customKeyStoreId') ?? field(event.responseElements, 'customKeyStoreId');

/** Disconnect and Delete always alert; Update alerts when the store was connected just before. */
export const customKeyStoreChange = (event: KmsEvent, before: CustomKeyStoreView | undefined): RuleResult => {
  if (event.error !== undefined) return NOT_APPLICABLE;
  const customKeyStoreId = customKeyStoreIdOf(event);
  if (customKeyStoreId === undefined) return NOT_APPLICABLE;
  const facts = {
    operation: event.eventName,
    customKeyStoreId,
    ...(before?.cloudHsmClusterId === undefined ? {} : { cloudHsmClusterId: before.cloudHsmClusterId }),
    ...(before?.connectionState === undefined ? {} : { connectionStateBefore: before.connectionState }),
  };
  switch (event.eventName) {
    case 'DisconnectCustomKeyStore':
      return nonCompliant('custom-key-store', { ...facts, change: 'disconnected' });
    case 'DeleteCustomKeyStore':
      return nonCompliant('custom-key-store', { ...facts, change: 'deleted' });
    case 'UpdateCustomKeyStore':
      if (before?.connectionState === undefined || !CONNECTED_STATES.has(before.connectionState)) return COMPLIANT;
      return nonCompliant('custom-key-store', {
        ...facts,
        change: 'updated-while-connected',
        updatedFields: Object.keys(event.requestParameters).filter((name) => name !== 'customKeyStoreId'),
      });
    default:
      return NOT_APPLICABLE;
  }
};

/** A DeleteHsm that leaves a cluster backing a custom key store with fewer than two active HSMs. */
export const hsmCountBelowMinimum = (
  event: KmsEvent,
  store: CustomKeyStoreView,
  activeHsms: number | undefined,
): RuleResult => {
  if (event.eventName !== 'DeleteHsm' || event.error !== undefined) return NOT_APPLICABLE;
  if (activeHsms === undefined || activeHsms >= MINIMUM_HSMS) return COMPLIANT;
  return nonCompliant('hsm-count-below-two', {
    operation: event.eventName,
    customKeyStoreId: store.customKeyStoreId,
    cloudHsmClusterId: store.cloudHsmClusterId ?? field(event.requestParameters, 'clusterId') ?? 'unknown',
    deletedHsmId: field(event.requestParameters, 'hsmId') ?? field(event.responseElements, 'hsmId') ?? 'unknown',
    activeHsms,
    minimumHsms: MINIMUM_HSMS,
  });
};
