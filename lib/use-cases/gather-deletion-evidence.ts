/**
 * Reads everything the deletion rules need, from the store and (in production) KMS, and says which reads
 * failed instead of failing: a missing piece of evidence is the guard's cue to fail closed, and the alert
 * must name it.
 */
import { buildDeletionEvidence, type EvidenceInput } from '../domain/deletion/build-evidence.js';
import type { DeletionEvidence, EvidenceGap } from '../domain/deletion/evidence.js';
import type { GrantRecord, KeyRecord, KeyUsageSummary } from '../domain/model.js';
import type { Coverage, GrantStore, KeyDirectory, KmsKeyFacts, UsageStore } from '../domain/ports.js';

export interface GatherDeps {
  readonly usage: UsageStore;
  readonly grants: GrantStore;
}

/** The key and its trigger, as the evidence is built from them (EvidenceInput), and where to read the rest. */
export interface GatherInput extends Pick<EvidenceInput, 'keyArn' | 'accountId' | 'region' | 'trigger' | 'triggerScheduling' | 'triggerFailure'> {
  /** KMS for the key; absent in replay, where the store is the only evidence. */
  readonly directory?: KeyDirectory;
  /** What the caller already read (the sweep's DescribeKey, the key record it listed). */
  readonly known?: { readonly facts?: KmsKeyFacts; readonly key?: KeyRecord };
}

export interface Gathered {
  /** Built from whatever could be read; complete when `gaps` is empty. */
  readonly evidence: DeletionEvidence;
  readonly gaps: readonly EvidenceGap[];
}

const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export const gatherDeletionEvidence = async (deps: GatherDeps, input: GatherInput): Promise<Gathered> => {
  const { keyArn, directory, known } = input;
  const gaps: EvidenceGap[] = [];
  const read = async <T>(source: string, load: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await load();
    } catch (error) {
      gaps.push({ source, error: describe(error) });
      return undefined;
    }
  };
  const [key, usage, storeGrants, coverage, facts, kmsGrants] = await Promise.all([
    known?.key ?? read<KeyRecord | undefined>('store key record', () => deps.usage.getKey(keyArn)),
    read<KeyUsageSummary>('store usage', () => deps.usage.getUsage(keyArn)),
    read<GrantRecord[]>('store grants', () => deps.grants.listGrants(keyArn)),
    read<Coverage | undefined>('store coverage', () => deps.usage.getCoverage(input.accountId, input.region)),
    directory === undefined ? undefined : (known?.facts ?? read<KmsKeyFacts>('KMS DescribeKey', () => directory.describe(keyArn))),
    directory === undefined ? undefined : read<GrantRecord[]>('KMS ListGrants', () => directory.listGrants(keyArn)),
  ]);
  const evidenceInput: EvidenceInput = {
    keyArn,
    accountId: input.accountId,
    region: input.region,
    trigger: input.trigger,
    key,
    usage,
    storeGrants: storeGrants ?? [],
    ...(coverage === undefined ? {} : { coverage }),
    ...(facts === undefined || kmsGrants === undefined ? {} : { kms: { facts, grants: kmsGrants } }),
    ...(input.triggerScheduling === undefined ? {} : { triggerScheduling: input.triggerScheduling }),
    ...(input.triggerFailure === undefined ? {} : { triggerFailure: input.triggerFailure }),
  };
  return { evidence: buildDeletionEvidence(evidenceInput), gaps };
};
