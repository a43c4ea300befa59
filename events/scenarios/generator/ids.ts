/**
 * The names in the scenario histories: accounts, keys, event and grant ids. Every id is derived from a
 * label by hashing, so the generator is deterministic and the oracle (test/replay/scenario-expectations.ts)
 * can name the same keys and triggering events without running the generator.
 */
import { createHash } from 'node:crypto';

/** The `--now` the scenarios are built around. */
export const SCENARIO_NOW = '2026-11-29T12:00:00Z';
export const ACCOUNT = '111122223333';
export const SECOND_ACCOUNT = '444455556666';
export const REGION = 'us-east-1';
export const REPLICA_REGION = 'us-west-2';

const digest = (label: string): string => createHash('sha256').update(`kms-guard-scenarios/${label}`).digest('hex');

/** A version-4-shaped UUID (the shape of KMS key ids and CloudTrail eventIDs). */
export const uuidFor = (label: string): string => {
  const hex = digest(label);
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

/** 64 hex characters, the shape of a KMS grant id or a keyMaterialId. */
export const hex64For = (label: string): string => digest(label);

/** Characters from [A-Z2-7] (access key ids, principal ids). */
export const upperIdFor = (label: string, length: number): string => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const hex = digest(label);
  return Array.from({ length }, (_, index) => alphabet.charAt(Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16) % 32)).join('');
};

/** Lower-case [a-z2-7] ids (CloudHSM cluster-…/hsm-… ids, mixed-case file-name suffixes use mixedIdFor). */
export const lowerIdFor = (label: string, length: number): string => upperIdFor(label, length).toLowerCase();

export const mixedIdFor = (label: string, length: number): string => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const hex = digest(label);
  return Array.from({ length }, (_, index) => alphabet.charAt(Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16) % 62)).join('');
};

export interface ScenarioKey {
  /** The scenario name; the key's alias is `alias/<name>`. */
  readonly name: string;
  readonly keyId: string;
  readonly account: string;
  readonly region: string;
}

const key = (name: string, account = ACCOUNT): ScenarioKey => ({ name, keyId: uuidFor(`key/${name}`), account, region: REGION });

/** One key per scenario. */
export const KEYS = {
  useWhilePendingDeletion: key('use-while-pending-deletion'),
  exemptTag: key('exempt-tag'),
  exemptTagJustSet: key('exempt-tag-just-set'),
  exemptPrincipal: key('exempt-principal'),
  useWhileDisabled: key('use-while-disabled'),
  awsServiceGrant: key('aws-service-grant'),
  disabledWithoutFailures: key('disabled-without-failures'),
  recentUse: key('recent-use'),
  recentUseDisabledBefore: key('recent-use-disabled-before'),
  publicKeyExportedEncrypt: key('public-key-exported-encrypt'),
  publicKeyExportedSign: key('public-key-exported-sign'),
  oldUse: key('old-use'),
  noRecordedUse: key('no-recorded-use', SECOND_ACCOUNT),
  insufficientHistory: key('insufficient-history'),
  // Multi-Region key ids are "mrk-" and 32 hex digits, not UUIDs.
  multiRegionPrimary: { ...key('multi-region-primary'), keyId: `mrk-${digest('key/multi-region-primary').slice(0, 32)}` },
  cloudHsmBacked: key('cloudhsm-backed'),
  deletionReminder: key('deletion-reminder'),
  grantStale: key('grant-stale'),
  grantTtl: key('grant-ttl'),
  grantUsed: key('grant-used'),
  grantEbsVolume: key('grant-ebs-volume'),
  grantLifecycle: key('grant-lifecycle'),
  policyLockout: key('policy-lockout'),
  publicKeyPolicy: key('public-key-policy'),
  restrictedPolicy: key('restricted-policy'),
  disabledInUse: key('disabled-in-use'),
} as const satisfies Record<string, ScenarioKey>;

export const keyArnOf = (scenarioKey: ScenarioKey, region = scenarioKey.region): string =>
  `arn:aws:kms:${region}:${scenarioKey.account}:key/${scenarioKey.keyId}`;

export const aliasOf = (scenarioKey: ScenarioKey): string => `alias/${scenarioKey.name}`;

/** The eventID of a step in a key's history, e.g. eventIdOf(KEYS.recentUse, 'schedule'). */
export const eventIdOf = (scenarioKey: ScenarioKey, step: string): string => uuidFor(`event/${scenarioKey.name}/${step}`);

/** The grant id KMS returned for a named grant on a key. */
export const grantIdOf = (scenarioKey: ScenarioKey, grant: string): string => hex64For(`grant/${scenarioKey.name}/${grant}`);

/** The custom key store and the CloudHSM cluster behind it. */
export const CUSTOM_KEY_STORE = {
  id: `cks-${digest('cks').slice(0, 17)}`,
  name: 'payments-hsm-store',
  clusterId: `cluster-${lowerIdFor('cluster', 11)}`,
  hsmIds: [`hsm-${lowerIdFor('hsm/1', 11)}`, `hsm-${lowerIdFor('hsm/2', 11)}`] as const,
} as const;

export const customKeyStoreArn = (): string => `arn:aws:kms:${REGION}:${ACCOUNT}:custom-key-store/${CUSTOM_KEY_STORE.id}`;
