/** Key metadata from CreateKey / ReplicateKey: KMS's response first, the request where the response is silent. */
import type { KmsEvent } from './kms-event.js';
import type { KeyRecord, KeyStateName } from './model.js';

type MetadataFacts = Pick<
  KeyRecord,
  'keySpec' | 'keyUsage' | 'origin' | 'customKeyStoreId' | 'multiRegion' | 'multiRegionKeyType' | 'keyManager'
>;

const KEY_STATES: ReadonlySet<string> = new Set<KeyStateName>([
  'Enabled',
  'Disabled',
  'PendingDeletion',
  'PendingReplicaDeletion',
  'PendingImport',
  'Unavailable',
  'Creating',
  'Updating',
]);

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

const text = (...values: unknown[]): string | undefined => values.find((value): value is string => typeof value === 'string' && value !== '');

const flag = (...values: unknown[]): boolean | undefined => values.find((value): value is boolean => typeof value === 'boolean');

export const keyMetadataFacts = (event: KmsEvent, field: 'keyMetadata' | 'replicaKeyMetadata'): MetadataFacts => {
  const metadata = record(event.responseElements[field]);
  const request = event.requestParameters;
  const fromRequest = field === 'keyMetadata';
  const multiRegion = flag(metadata.multiRegion, fromRequest ? request.multiRegion : undefined);
  const facts: MetadataFacts = {
    keySpec: text(metadata.keySpec, metadata.customerMasterKeySpec, fromRequest ? request.keySpec : undefined, fromRequest ? request.customerMasterKeySpec : undefined),
    keyUsage: text(metadata.keyUsage, fromRequest ? request.keyUsage : undefined),
    origin: text(metadata.origin, fromRequest ? request.origin : undefined),
    customKeyStoreId: text(metadata.customKeyStoreId, fromRequest ? request.customKeyStoreId : undefined),
    multiRegion,
    multiRegionKeyType: text(record(metadata.multiRegionConfiguration).multiRegionKeyType, multiRegion === true ? 'PRIMARY' : undefined),
    keyManager: text(metadata.keyManager),
  };
  return Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined)) as MetadataFacts;
};

/** The keyState KMS reported, when it is one we know; "Creating" settles into `fallback` with no further event. */
export const stateFromMetadata = (metadata: unknown, fallback: KeyStateName): KeyStateName => {
  const state = record(metadata).keyState;
  return typeof state === 'string' && KEY_STATES.has(state) && state !== 'Creating' ? (state as KeyStateName) : fallback;
};

/** ReplicateKey's new replica ARN (the event's keys are [primary, replica]). */
export const replicaTarget = (event: KmsEvent): string | undefined =>
  text(record(event.responseElements.replicaKeyMetadata).arn, event.keyArns[1]);
