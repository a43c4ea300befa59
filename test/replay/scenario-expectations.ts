/**
 * The oracle for `kms-guard replay --now 2026-11-29T12:00:00Z --exempt-principal <iac-deployer> events/scenarios`:
 * what a careful reviewer expects from the guard's rules on the histories in events/scenarios (see its README.md),
 * written from the specification, not from running the guard. Ids come from the generator's naming module, so
 * both sides name the same keys, grants and triggering events.
 *
 * How to read it:
 * - EXPECTED_DECISIONS: each entry must match at least one decision in the output (same keyArn, grantId when given,
 *   action, reasons[0] === decisiveReason, reasons ⊇ reasonsInclude, reEnable when given). triggerEventId, when
 *   given, is the CloudTrail eventID of the event that must have triggered it (decision.eventId); absent means the
 *   end-of-replay sweep at --now decides it. occurrences, when given, is the exact number of such decisions;
 *   evidenceIncludes are strings that must appear in JSON.stringify(decision.evidence).
 *   Sweeps at --now may repeat a deletion verdict for keys still pending; those repeats are not listed here.
 * - EXPECTED_NO_DECISION: no decision on that key (and grant, when given) may have one of forbiddenActions, nor
 *   carry one of forbiddenReasons.
 * - EXPECTED_KEY_FACTS: the usage summary of three keys after the replay.
 */
import {
  ACCOUNT,
  CUSTOM_KEY_STORE,
  KEYS,
  SCENARIO_NOW as NOW,
  customKeyStoreArn,
  eventIdOf,
  grantIdOf,
  keyArnOf,
  uuidFor,
  type ScenarioKey,
} from '../../events/scenarios/generator/ids.js';
import { FAIL_CLOSED_KEYS, SHARED_VOLUMES } from '../../events/scenarios/generator/fail-closed-scenarios.js';
import { GRANT_SAFETY_GRANTS, GRANT_SAFETY_KEYS } from '../../events/scenarios/generator/grant-safety-ids.js';

export const SCENARIO_NOW = NOW;
export const SCENARIO_EXEMPT_PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/iac-deployer`;
export const SCENARIO_DIRECTORY = 'events/scenarios';

export type ExpectedAction = 'cancel-deletion' | 'alert' | 'allow-deletion' | 'revoke-grant';

export interface ExpectedDecision {
  readonly keyAlias: string;
  readonly keyArn: string;
  readonly action: ExpectedAction;
  readonly decisiveReason: string;
  readonly reasonsInclude: string[];
  readonly reEnable?: boolean;
  readonly grantId?: string;
  /** The CloudTrail eventID that triggers the decision; absent: the sweep at --now. */
  readonly triggerEventId?: string;
  /** Exact number of decisions matching this entry, when the spec says "once". */
  readonly occurrences?: number;
  readonly evidenceIncludes?: string[];
  /** Why, in one line (for failure messages). */
  readonly why: string;
}

export interface ExpectedNoDecision {
  readonly keyAlias: string;
  readonly keyArn: string;
  readonly grantId?: string;
  readonly forbiddenActions: ExpectedAction[];
  readonly forbiddenReasons?: string[];
  readonly why: string;
}

export interface ExpectedKeyFacts {
  readonly keyAlias: string;
  readonly keyArn: string;
  readonly useCount: number;
  /** ISO-8601 UTC; compare as instants. */
  readonly lastUsedAt: string;
  readonly why: string;
}

const arn = (key: ScenarioKey): string => keyArnOf(key);
const alias = (key: ScenarioKey): string => `alias/${key.name}`;
const schedule = (key: ScenarioKey): string => eventIdOf(key, 'schedule');
const roleArn = (role: string): string => `arn:aws:iam::${ACCOUNT}:role/${role}`;

/** Store-level custom key store alerts name the store, not a key. */
const STORE_ALIAS = `custom-key-store/${CUSTOM_KEY_STORE.name}`;

// ==== Grant safety (issue 12): events/scenarios/generator/grant-safety-scenarios.ts, the sweep at --now ====
const GK = GRANT_SAFETY_KEYS;
const grantAlias = (key: ScenarioKey, grant: string): string => `${alias(key)} grant ${grant}`;

/** The grants the sweep must still revoke, each explained in words a reviewer can check. */
const GRANT_SAFETY_DECISIONS: ExpectedDecision[] = [
  {
    keyAlias: grantAlias(GK.forgotten, GRANT_SAFETY_GRANTS.legacyMigration),
    keyArn: arn(GK.forgotten),
    grantId: grantIdOf(GK.forgotten, GRANT_SAFETY_GRANTS.legacyMigration),
    action: 'revoke-grant',
    decisiveReason: 'stale-grant',
    reasonsInclude: ['stale-grant'],
    occurrences: 1,
    evidenceIncludes: [
      'created by role/Admin at 2026-06-02T14:00:00.000Z',
      'role/legacy-migration may Decrypt and Encrypt on this key',
      'no Decrypt or Encrypt by role/legacy-migration on this key in 30 days (since 2026-10-30T12:00:00.000Z); the last on record was Decrypt at 2026-06-07T15:00:00.000Z',
      // Created D-180 at 14:00; --now is 12:00: 179 whole days.
      '179 days old, past the 90-day limit (policy)',
    ],
    why: 'a migration grant made D-180, used D-179…D-175 and never since: forgotten',
  },
  {
    keyAlias: grantAlias(GK.serviceLooking, GRANT_SAFETY_GRANTS.devSandbox),
    keyArn: arn(GK.serviceLooking),
    grantId: grantIdOf(GK.serviceLooking, GRANT_SAFETY_GRANTS.devSandbox),
    action: 'revoke-grant',
    decisiveReason: 'stale-grant',
    reasonsInclude: ['stale-grant'],
    occurrences: 1,
    evidenceIncludes: [
      'no Decrypt or GenerateDataKey by role/dev-sandbox on this key in 30 days',
      'retiring principal rds.us-east-1.amazonaws.com is chosen by whoever creates the grant, so it does not make this an AWS service',
    ],
    why: 'only its retiring principal (rds.us-east-1.amazonaws.com) looks like a service: a person made it for role/dev-sandbox, which never used it',
  },
];

/** The grants the sweep must keep. */
const GRANT_SAFETY_NO_DECISIONS: ExpectedNoDecision[] = [
  {
    keyAlias: grantAlias(GK.crossAccount, GRANT_SAFETY_GRANTS.partnerReporting),
    keyArn: arn(GK.crossAccount),
    grantId: grantIdOf(GK.crossAccount, GRANT_SAFETY_GRANTS.partnerReporting),
    forbiddenActions: ['revoke-grant'],
    why: 'role/partner-reporting of 444455556666 decrypts nightly; the key owner’s trail logs it as AWSAccount without an ARN: cannot be ruled out',
  },
  {
    keyAlias: grantAlias(GK.serviceLinkedRole, GRANT_SAFETY_GRANTS.autoScaling),
    keyArn: arn(GK.serviceLinkedRole),
    grantId: grantIdOf(GK.serviceLinkedRole, GRANT_SAFETY_GRANTS.autoScaling),
    forbiddenActions: ['revoke-grant'],
    why: 'the grant to AWSServiceRoleForAutoScaling (role/aws-service-role/…) is an AWS service’s: the next scale-out needs it',
  },
  {
    keyAlias: grantAlias(GK.reEncryptSource, GRANT_SAFETY_GRANTS.rotationFrom),
    keyArn: arn(GK.reEncryptSource),
    grantId: grantIdOf(GK.reEncryptSource, GRANT_SAFETY_GRANTS.rotationFrom),
    forbiddenActions: ['revoke-grant'],
    why: 'a ReEncryptFrom-only grant; role/key-rotation calls ReEncrypt from this key nightly',
  },
  {
    keyAlias: grantAlias(GK.reEncryptDestination, GRANT_SAFETY_GRANTS.rotationTo),
    keyArn: arn(GK.reEncryptDestination),
    grantId: grantIdOf(GK.reEncryptDestination, GRANT_SAFETY_GRANTS.rotationTo),
    forbiddenActions: ['revoke-grant'],
    why: 'a ReEncryptTo-only grant; role/key-rotation calls ReEncrypt to this key nightly',
  },
  {
    keyAlias: grantAlias(GK.describeOnly, GRANT_SAFETY_GRANTS.keyInventory),
    keyArn: arn(GK.describeOnly),
    grantId: grantIdOf(GK.describeOnly, GRANT_SAFETY_GRANTS.keyInventory),
    forbiddenActions: ['revoke-grant'],
    why: 'a DescribeKey-only grant; role/key-inventory calls DescribeKey every morning',
  },
  {
    keyAlias: grantAlias(GK.disabledKey, GRANT_SAFETY_GRANTS.archiveReader),
    keyArn: arn(GK.disabledKey),
    grantId: grantIdOf(GK.disabledKey, GRANT_SAFETY_GRANTS.archiveReader),
    forbiddenActions: ['revoke-grant'],
    why: 'the key is Disabled: nothing can use any grant on it, and the workloads need it back when the key is enabled',
  },
  {
    keyAlias: grantAlias(GK.serviceLooking, GRANT_SAFETY_GRANTS.reportingEtl),
    keyArn: arn(GK.serviceLooking),
    grantId: grantIdOf(GK.serviceLooking, GRANT_SAFETY_GRANTS.reportingEtl),
    forbiddenActions: ['revoke-grant'],
    why: 'service-looking (retiring principal rds…, aws:rds:db-id constraint) but judged on its grantee, role/reporting-etl, which uses it daily',
  },
];
// ==== end of grant safety ====

export const EXPECTED_DECISIONS: ExpectedDecision[] = [
  // ---- Deletion guard: one rule decisive per key, at its ScheduleKeyDeletion ----
  {
    keyAlias: alias(KEYS.useWhilePendingDeletion),
    keyArn: arn(KEYS.useWhilePendingDeletion),
    action: 'alert',
    decisiveReason: 'old-use',
    reasonsInclude: ['old-use'],
    triggerEventId: schedule(KEYS.useWhilePendingDeletion),
    why: 'at scheduling the last Decrypt was 188 days earlier: only old use is known',
  },
  {
    keyAlias: alias(KEYS.useWhilePendingDeletion),
    keyArn: arn(KEYS.useWhilePendingDeletion),
    action: 'cancel-deletion',
    decisiveReason: 'use-while-pending-deletion',
    reasonsInclude: ['use-while-pending-deletion'],
    reEnable: true,
    triggerEventId: eventIdOf(KEYS.useWhilePendingDeletion, 'pending-deletion-failure-1'),
    occurrences: 1,
    why: 'a Decrypt failed with "is pending deletion." six hours after scheduling; three retries give one cancellation; Enabled before',
  },
  {
    keyAlias: alias(KEYS.exemptTag),
    keyArn: arn(KEYS.exemptTag),
    action: 'allow-deletion',
    decisiveReason: 'exempt-tag',
    reasonsInclude: ['exempt-tag', 'recent-use'],
    triggerEventId: schedule(KEYS.exemptTag),
    evidenceIncludes: ['"setBy":"arn:aws:iam::111122223333:role/platform-ops"'],
    why: 'tagged kms-guard:allow-deletion=true the day before by platform-ops, not by the administrator who scheduled it; recent use is reported but does not decide',
  },
  {
    keyAlias: alias(KEYS.exemptTagJustSet),
    keyArn: arn(KEYS.exemptTagJustSet),
    action: 'cancel-deletion',
    decisiveReason: 'recent-use',
    reasonsInclude: ['recent-use', 'exempt-tag-ignored'],
    reEnable: true,
    triggerEventId: schedule(KEYS.exemptTagJustSet),
    evidenceIncludes: ['less than 24'],
    why: 'the administrator tagged kms-guard:allow-deletion=true four minutes before scheduling: the tag is ignored and the key, in daily use, is kept',
  },
  {
    keyAlias: alias(KEYS.exemptPrincipal),
    keyArn: arn(KEYS.exemptPrincipal),
    action: 'allow-deletion',
    decisiveReason: 'exempt-principal',
    reasonsInclude: ['exempt-principal', 'recent-use'],
    triggerEventId: schedule(KEYS.exemptPrincipal),
    why: 'scheduled by an assumed-role session of role/iac-deployer, the exempt principal',
  },
  {
    keyAlias: alias(KEYS.useWhileDisabled),
    keyArn: arn(KEYS.useWhileDisabled),
    action: 'cancel-deletion',
    decisiveReason: 'use-while-disabled',
    reasonsInclude: ['use-while-disabled'],
    reEnable: false,
    triggerEventId: schedule(KEYS.useWhileDisabled),
    why: 'disabled 20 days before scheduling, a Decrypt failed with DisabledException 3 days before: cancel, stay Disabled',
  },
  {
    keyAlias: alias(KEYS.awsServiceGrant),
    keyArn: arn(KEYS.awsServiceGrant),
    action: 'cancel-deletion',
    decisiveReason: 'aws-service-grant',
    reasonsInclude: ['aws-service-grant'],
    reEnable: true,
    triggerEventId: schedule(KEYS.awsServiceGrant),
    why: 'an attached EBS volume holds an active grant (retiring principal ec2.us-east-1.amazonaws.com); its last Decrypt was 200 days before',
  },
  {
    keyAlias: alias(KEYS.disabledWithoutFailures),
    keyArn: arn(KEYS.disabledWithoutFailures),
    action: 'allow-deletion',
    decisiveReason: 'disabled-without-failures',
    reasonsInclude: ['disabled-without-failures'],
    triggerEventId: schedule(KEYS.disabledWithoutFailures),
    why: 'Disabled for 30 days (observation period 14) and nothing failed',
  },
  {
    keyAlias: alias(KEYS.recentUse),
    keyArn: arn(KEYS.recentUse),
    action: 'cancel-deletion',
    decisiveReason: 'recent-use',
    reasonsInclude: ['recent-use'],
    reEnable: true,
    triggerEventId: schedule(KEYS.recentUse),
    why: 'daily Decrypt (Lambda) and GenerateDataKey (S3) until the day before; Enabled before, so EnableKey follows',
  },
  {
    keyAlias: alias(KEYS.recentUseDisabledBefore),
    keyArn: arn(KEYS.recentUseDisabledBefore),
    action: 'cancel-deletion',
    decisiveReason: 'recent-use',
    reasonsInclude: ['recent-use'],
    reEnable: false,
    triggerEventId: schedule(KEYS.recentUseDisabledBefore),
    why: 'used 10 days before scheduling but Disabled 5 days before it: cancel, never re-enable',
  },
  {
    keyAlias: alias(KEYS.publicKeyExportedEncrypt),
    keyArn: arn(KEYS.publicKeyExportedEncrypt),
    action: 'cancel-deletion',
    decisiveReason: 'public-key-exported',
    reasonsInclude: ['public-key-exported'],
    reEnable: true,
    triggerEventId: schedule(KEYS.publicKeyExportedEncrypt),
    why: 'RSA_2048 ENCRYPT_DECRYPT whose public key was fetched 200 days before: data may be encrypted outside KMS',
  },
  {
    keyAlias: alias(KEYS.publicKeyExportedSign),
    keyArn: arn(KEYS.publicKeyExportedSign),
    action: 'alert',
    decisiveReason: 'public-key-exported',
    reasonsInclude: ['public-key-exported'],
    triggerEventId: schedule(KEYS.publicKeyExportedSign),
    why: 'ECC_NIST_P256 SIGN_VERIFY whose public key was fetched 200 days before: signatures may be verified outside KMS',
  },
  {
    keyAlias: alias(KEYS.oldUse),
    keyArn: arn(KEYS.oldUse),
    action: 'alert',
    decisiveReason: 'old-use',
    reasonsInclude: ['old-use'],
    triggerEventId: schedule(KEYS.oldUse),
    why: 'last Decrypt 200 days before scheduling (history begins without CreateKey)',
  },
  {
    keyAlias: alias(KEYS.noRecordedUse),
    keyArn: arn(KEYS.noRecordedUse),
    action: 'allow-deletion',
    decisiveReason: 'no-recorded-use',
    reasonsInclude: ['no-recorded-use'],
    triggerEventId: schedule(KEYS.noRecordedUse),
    why: 'created 200 days before scheduling (account 444455556666), never used: watched a full 90-day window',
  },
  {
    keyAlias: alias(KEYS.insufficientHistory),
    keyArn: arn(KEYS.insufficientHistory),
    action: 'alert',
    decisiveReason: 'insufficient-history',
    reasonsInclude: ['insufficient-history'],
    triggerEventId: schedule(KEYS.insufficientHistory),
    why: 'created 20 days before scheduling, never used: watched for less than the window',
  },
  {
    keyAlias: alias(KEYS.multiRegionPrimary),
    keyArn: arn(KEYS.multiRegionPrimary),
    action: 'cancel-deletion',
    decisiveReason: 'recent-use',
    reasonsInclude: ['recent-use', 'pending-replica-deletion'],
    reEnable: true,
    triggerEventId: schedule(KEYS.multiRegionPrimary),
    why: 'a multi-Region primary with a replica (PendingReplicaDeletion, no deletionDate), used 1 day before',
  },
  {
    keyAlias: alias(KEYS.cloudHsmBacked),
    keyArn: arn(KEYS.cloudHsmBacked),
    action: 'cancel-deletion',
    decisiveReason: 'recent-use',
    reasonsInclude: ['recent-use', 'custom-key-store'],
    reEnable: true,
    triggerEventId: schedule(KEYS.cloudHsmBacked),
    why: 'an AWS_CLOUDHSM key in a custom key store, used 1 day before scheduling',
  },
  {
    keyAlias: alias(KEYS.deletionReminder),
    keyArn: arn(KEYS.deletionReminder),
    action: 'alert',
    decisiveReason: 'old-use',
    reasonsInclude: ['old-use'],
    triggerEventId: schedule(KEYS.deletionReminder),
    why: 'scheduled 25 days before --now with a 30-day window; last use 135 days before scheduling',
  },
  {
    keyAlias: alias(KEYS.deletionReminder),
    keyArn: arn(KEYS.deletionReminder),
    action: 'alert',
    decisiveReason: 'deletion-reminder-7d',
    reasonsInclude: ['deletion-reminder-7d'],
    occurrences: 1,
    why: 'the sweep at --now: deletion on 2026-12-04T12:00:00Z, 5 days away, inside the 7-day reminder',
  },

  // ---- Grant sweep at --now ----
  {
    keyAlias: alias(KEYS.grantStale),
    keyArn: arn(KEYS.grantStale),
    grantId: grantIdOf(KEYS.grantStale, 'batch-job'),
    action: 'revoke-grant',
    decisiveReason: 'stale-grant',
    reasonsInclude: ['stale-grant'],
    occurrences: 1,
    why: '120 days old (max 90); role/batch-job last used the key 95 days ago; role/web-app used it since, but it is not the grantee',
  },
  {
    keyAlias: alias(KEYS.grantTtl),
    keyArn: arn(KEYS.grantTtl),
    grantId: grantIdOf(KEYS.grantTtl, 'nightly-export'),
    action: 'revoke-grant',
    decisiveReason: 'grant-ttl-expired',
    reasonsInclude: ['grant-ttl-expired'],
    occurrences: 1,
    why: 'named nightly-export-kms-guard:ttl:7d, created 10 days ago: expired 3 days ago although used nightly',
  },

  // ---- Policy guard ----
  {
    keyAlias: alias(KEYS.policyLockout),
    keyArn: arn(KEYS.policyLockout),
    action: 'alert',
    decisiveReason: 'policy-lockout',
    reasonsInclude: ['policy-lockout', 'lockout-check-bypassed'],
    triggerEventId: eventIdOf(KEYS.policyLockout, 'put-key-policy'),
    why: 'PutKeyPolicy without the account root, with bypassPolicyLockoutSafetyCheck true',
  },
  {
    keyAlias: alias(KEYS.publicKeyPolicy),
    keyArn: arn(KEYS.publicKeyPolicy),
    action: 'alert',
    decisiveReason: 'public-key-policy',
    reasonsInclude: ['public-key-policy'],
    triggerEventId: eventIdOf(KEYS.publicKeyPolicy, 'put-key-policy'),
    why: 'a statement allows Principal "*" to Decrypt with no Condition',
  },
  {
    keyAlias: alias(KEYS.disabledInUse),
    keyArn: arn(KEYS.disabledInUse),
    action: 'alert',
    decisiveReason: 'disabled-in-use',
    reasonsInclude: ['disabled-in-use'],
    triggerEventId: eventIdOf(KEYS.disabledInUse, 'disable'),
    occurrences: 1,
    why: 'DisableKey on a key two workloads used every day until that morning (the jsonl export repeats the DisableKey)',
  },
  {
    keyAlias: alias(KEYS.disabledInUse),
    keyArn: arn(KEYS.disabledInUse),
    action: 'alert',
    decisiveReason: 'use-while-disabled',
    reasonsInclude: ['use-while-disabled'],
    triggerEventId: eventIdOf(KEYS.disabledInUse, 'checkout-failure-1'),
    occurrences: 1,
    evidenceIncludes: [roleArn('checkout-api')],
    why: 'checkout-api is the first workload to fail with DisabledException: one alert naming it, however often it retries',
  },
  {
    keyAlias: alias(KEYS.disabledInUse),
    keyArn: arn(KEYS.disabledInUse),
    action: 'alert',
    decisiveReason: 'use-while-disabled',
    reasonsInclude: ['use-while-disabled'],
    triggerEventId: eventIdOf(KEYS.disabledInUse, 'fraud-failure-1'),
    occurrences: 1,
    evidenceIncludes: [roleArn('checkout-api'), roleArn('fraud-scoring')],
    why: 'fraud-scoring breaks too: a second workload is news, one more alert, naming both',
  },
  {
    keyAlias: alias(KEYS.recentUseDisabledBefore),
    keyArn: arn(KEYS.recentUseDisabledBefore),
    action: 'alert',
    decisiveReason: 'disabled-in-use',
    reasonsInclude: ['disabled-in-use'],
    triggerEventId: eventIdOf(KEYS.recentUseDisabledBefore, 'disable'),
    why: 'DisableKey 5 days after a successful Decrypt',
  },
  {
    keyAlias: alias(KEYS.useWhileDisabled),
    keyArn: arn(KEYS.useWhileDisabled),
    action: 'alert',
    decisiveReason: 'use-while-disabled',
    reasonsInclude: ['use-while-disabled'],
    triggerEventId: eventIdOf(KEYS.useWhileDisabled, 'disabled-failure-1'),
    occurrences: 1,
    evidenceIncludes: [roleArn('reconciliation-job')],
    why: 'the reconciliation job fails with DisabledException (and retries once): one alert',
  },
  {
    keyAlias: STORE_ALIAS,
    keyArn: customKeyStoreArn(),
    action: 'alert',
    decisiveReason: 'custom-key-store',
    reasonsInclude: ['custom-key-store'],
    triggerEventId: uuidFor('event/cloudhsm/delete-hsm'),
    why: 'DeleteHsm leaves one HSM in the cluster behind the custom key store (KMS needs two)',
  },
  {
    keyAlias: STORE_ALIAS,
    keyArn: customKeyStoreArn(),
    action: 'alert',
    decisiveReason: 'custom-key-store',
    reasonsInclude: ['custom-key-store'],
    triggerEventId: uuidFor('event/custom-key-store/disconnect'),
    why: 'DisconnectCustomKeyStore: every key in the store stops working',
  },
  ...GRANT_SAFETY_DECISIONS,
];

/** Every scenario key: CreateKey carries the default key policy, which must never alert. */
const DEFAULT_POLICY_KEYS = Object.values(KEYS).filter(
  (key) => key !== KEYS.policyLockout && key !== KEYS.publicKeyPolicy && key !== KEYS.restrictedPolicy,
);

/** Keys with a ScheduleKeyDeletion in their history. */
const SCHEDULED_KEYS: ScenarioKey[] = [
  KEYS.useWhilePendingDeletion,
  KEYS.exemptTag,
  KEYS.exemptPrincipal,
  KEYS.useWhileDisabled,
  KEYS.awsServiceGrant,
  KEYS.disabledWithoutFailures,
  KEYS.recentUse,
  KEYS.recentUseDisabledBefore,
  KEYS.publicKeyExportedEncrypt,
  KEYS.publicKeyExportedSign,
  KEYS.oldUse,
  KEYS.noRecordedUse,
  KEYS.insufficientHistory,
  KEYS.multiRegionPrimary,
  KEYS.cloudHsmBacked,
  KEYS.deletionReminder,
];

export const EXPECTED_NO_DECISION: ExpectedNoDecision[] = [
  {
    keyAlias: alias(KEYS.grantUsed),
    keyArn: arn(KEYS.grantUsed),
    grantId: grantIdOf(KEYS.grantUsed, 'report-renderer'),
    forbiddenActions: ['revoke-grant'],
    why: '150 days old, but role/report-renderer used Decrypt 5 days ago through an assumed-role session',
  },
  {
    keyAlias: alias(KEYS.grantEbsVolume),
    keyArn: arn(KEYS.grantEbsVolume),
    grantId: grantIdOf(KEYS.grantEbsVolume, 'ebs-attach'),
    forbiddenActions: ['revoke-grant'],
    why: 'an EBS service grant, 300 days old and unused since attach: never revoked',
  },
  {
    keyAlias: alias(KEYS.awsServiceGrant),
    keyArn: arn(KEYS.awsServiceGrant),
    grantId: grantIdOf(KEYS.awsServiceGrant, 'ebs-attach'),
    forbiddenActions: ['revoke-grant'],
    why: 'an EBS service grant, 205 days old: never revoked',
  },
  {
    keyAlias: alias(KEYS.grantLifecycle),
    keyArn: arn(KEYS.grantLifecycle),
    grantId: grantIdOf(KEYS.grantLifecycle, 'etl-loader'),
    forbiddenActions: ['revoke-grant'],
    why: 'retired by its grantee (RetireGrant with requestParameters null): closed, not revoked',
  },
  {
    keyAlias: alias(KEYS.grantLifecycle),
    keyArn: arn(KEYS.grantLifecycle),
    grantId: grantIdOf(KEYS.grantLifecycle, 'contractor-analytics'),
    forbiddenActions: ['revoke-grant'],
    why: 'revoked by an admin with RevokeGrant: closed, not revoked again',
  },
  {
    keyAlias: alias(KEYS.restrictedPolicy),
    keyArn: arn(KEYS.restrictedPolicy),
    forbiddenActions: ['alert', 'cancel-deletion', 'allow-deletion', 'revoke-grant'],
    why: 'Principal "*" restricted by kms:CallerAccount and kms:ViaService, with the root statement kept',
  },
  {
    keyAlias: alias(KEYS.exemptTag),
    keyArn: arn(KEYS.exemptTag),
    forbiddenActions: ['cancel-deletion'],
    why: 'exempt by tag: allowed although recently used',
  },
  {
    keyAlias: alias(KEYS.exemptPrincipal),
    keyArn: arn(KEYS.exemptPrincipal),
    forbiddenActions: ['cancel-deletion'],
    why: 'scheduled by the exempt principal: allowed although recently used',
  },
  {
    keyAlias: alias(KEYS.insufficientHistory),
    keyArn: arn(KEYS.insufficientHistory),
    forbiddenActions: ['allow-deletion'],
    why: 'watched 20 days: too little history to allow',
  },
  {
    keyAlias: alias(KEYS.useWhileDisabled),
    keyArn: arn(KEYS.useWhileDisabled),
    forbiddenActions: ['allow-deletion'],
    forbiddenReasons: ['disabled-in-use'],
    why: 'disabled 97 days after its last use (outside the 90-day window); a failure while disabled forbids allow',
  },
  {
    keyAlias: alias(KEYS.disabledWithoutFailures),
    keyArn: arn(KEYS.disabledWithoutFailures),
    forbiddenActions: ['cancel-deletion'],
    forbiddenReasons: ['disabled-in-use'],
    why: 'disabled 141 days after its last use',
  },
  {
    keyAlias: alias(KEYS.deletionReminder),
    keyArn: arn(KEYS.deletionReminder),
    forbiddenActions: [],
    forbiddenReasons: ['deletion-reminder-1d'],
    why: 'deletion is 5 days after --now: the 1-day reminder is not due',
  },
  ...SCHEDULED_KEYS.filter((key) => key !== KEYS.deletionReminder).map(
    (key): ExpectedNoDecision => ({
      keyAlias: alias(key),
      keyArn: arn(key),
      forbiddenActions: [],
      forbiddenReasons: ['deletion-reminder-7d', 'deletion-reminder-1d'],
      why: 'its deletion date is more than 7 days after --now (or unknown, for the multi-Region primary)',
    }),
  ),
  ...DEFAULT_POLICY_KEYS.map(
    (key): ExpectedNoDecision => ({
      keyAlias: alias(key),
      keyArn: arn(key),
      forbiddenActions: [],
      forbiddenReasons: ['policy-lockout', 'lockout-check-bypassed', 'public-key-policy', 'policy-unreadable'],
      why: 'created with the default key policy (root kms:*), passed as a JSON string',
    }),
  ),
  ...GRANT_SAFETY_NO_DECISIONS,
];

export const EXPECTED_KEY_FACTS: ExpectedKeyFacts[] = [
  {
    keyAlias: alias(KEYS.recentUse),
    keyArn: arn(KEYS.recentUse),
    // 39 days (45 to 7 days before --now), one Lambda Decrypt and one S3 GenerateDataKey each.
    useCount: 78,
    lastUsedAt: '2026-11-22T06:05:17.000Z',
    why: 'daily Lambda Decrypt at 06:00:03 and S3 GenerateDataKey at 06:05:17, the last 7 days before --now',
  },
  {
    keyAlias: alias(KEYS.publicKeyExportedEncrypt),
    keyArn: arn(KEYS.publicKeyExportedEncrypt),
    useCount: 1,
    lastUsedAt: '2026-05-11T10:10:10.000Z',
    why: 'one GetPublicKey, 202 days before --now; nothing else',
  },
  {
    keyAlias: alias(KEYS.disabledInUse),
    keyArn: arn(KEYS.disabledInUse),
    // 29 days (30 to 2 days before --now) x two workloads; failures and the jsonl duplicates do not count.
    useCount: 58,
    lastUsedAt: '2026-11-27T09:20:00.000Z',
    why: 'checkout-api at 09:15 and fraud-scoring at 09:20 daily until the morning of the DisableKey',
  },
];

// ==== Fail closed (issue 11) ============================================================================
// The histories of events/scenarios/generator/fail-closed-scenarios.ts. Appended to the lists above, so the
// replay test and check.ts hold them to the same rules; EXPECTED_KEY_STATES is new.

const FC = FAIL_CLOSED_KEYS;
const failClosedTrigger = (scenarioKey: ScenarioKey, step: string): string => eventIdOf(scenarioKey, step);

export const FAIL_CLOSED_DECISIONS: ExpectedDecision[] = [
  {
    keyAlias: alias(FC.ebsSharedVolumes),
    keyArn: arn(FC.ebsSharedVolumes),
    action: 'cancel-deletion',
    decisiveReason: 'aws-service-grant',
    reasonsInclude: ['aws-service-grant'],
    reEnable: true,
    triggerEventId: schedule(FC.ebsSharedVolumes),
    evidenceIncludes: [`"serviceGrants":${SHARED_VOLUMES}`, `"grantsOmitted":${SHARED_VOLUMES - 20}`],
    why: '40 attached volumes hold EBS grants: the decision names 20 and counts the other 20, so it stays within its size budget',
  },
  {
    keyAlias: alias(FC.createGrantPending),
    keyArn: arn(FC.createGrantPending),
    action: 'alert',
    decisiveReason: 'old-use',
    reasonsInclude: ['old-use'],
    triggerEventId: schedule(FC.createGrantPending),
    why: 'at scheduling the last Decrypt was 204 days old',
  },
  {
    keyAlias: alias(FC.createGrantPending),
    keyArn: arn(FC.createGrantPending),
    action: 'cancel-deletion',
    decisiveReason: 'use-while-pending-deletion',
    reasonsInclude: ['use-while-pending-deletion'],
    reEnable: true,
    triggerEventId: failClosedTrigger(FC.createGrantPending, 'create-grant-failure'),
    occurrences: 1,
    evidenceIncludes: ['"operation":"CreateGrant"'],
    why: "EC2's CreateGrant to attach a volume failed with \"is pending deletion.\": no Decrypt ever follows on a pending key",
  },
  {
    keyAlias: alias(FC.reEncryptDestination),
    keyArn: arn(FC.reEncryptDestination),
    action: 'cancel-deletion',
    decisiveReason: 'use-while-pending-deletion',
    reasonsInclude: ['use-while-pending-deletion'],
    reEnable: true,
    triggerEventId: failClosedTrigger(FC.reEncryptDestination, 'reencrypt-failure'),
    occurrences: 1,
    why: 'a ReEncrypt failed because its destination key is pending deletion: the failure is about the destination, not the source',
  },
  {
    keyAlias: alias(FC.replicaPendingFailure),
    keyArn: arn(FC.replicaPendingFailure),
    action: 'cancel-deletion',
    decisiveReason: 'use-while-pending-deletion',
    reasonsInclude: ['use-while-pending-deletion', 'pending-replica-deletion'],
    reEnable: true,
    triggerEventId: failClosedTrigger(FC.replicaPendingFailure, 'pending-replica-failure'),
    occurrences: 1,
    why: 'a Decrypt on the multi-Region primary failed with "is pending replica deletion.", the PendingReplicaDeletion variant',
  },
  {
    keyAlias: alias(FC.publicKeyExportedDisabled),
    keyArn: arn(FC.publicKeyExportedDisabled),
    action: 'cancel-deletion',
    decisiveReason: 'public-key-exported',
    reasonsInclude: ['public-key-exported', 'disabled-without-failures'],
    reEnable: false,
    triggerEventId: schedule(FC.publicKeyExportedDisabled),
    why: 'RSA_3072 ENCRYPT_DECRYPT with an exported public key: 20 days disabled prove nothing for ciphertexts made outside KMS; stays Disabled',
  },
  {
    keyAlias: alias(FC.recencyAtScheduling),
    keyArn: arn(FC.recencyAtScheduling),
    action: 'cancel-deletion',
    decisiveReason: 'recent-use',
    reasonsInclude: ['recent-use'],
    reEnable: true,
    triggerEventId: schedule(FC.recencyAtScheduling),
    why: 'last Decrypt 80 days before it was scheduled',
  },
  {
    keyAlias: alias(FC.sameSecondDisable),
    keyArn: arn(FC.sameSecondDisable),
    action: 'cancel-deletion',
    decisiveReason: 'recent-use',
    reasonsInclude: ['recent-use'],
    reEnable: false,
    triggerEventId: schedule(FC.sameSecondDisable),
    why: 'DisableKey in the same second as the scheduling (KMS refuses DisableKey on a pending key, so it came first): never re-enable',
  },
  {
    keyAlias: alias(FC.importedMaterialExpired),
    keyArn: arn(FC.importedMaterialExpired),
    action: 'cancel-deletion',
    decisiveReason: 'recent-use',
    reasonsInclude: ['recent-use'],
    reEnable: false,
    triggerEventId: schedule(FC.importedMaterialExpired),
    evidenceIncludes: ['"state":"PendingImport"'],
    why: 'used 15 days before its imported material expired (DeleteExpiredKeyMaterial): PendingImport before the scheduling, so no EnableKey',
  },
  {
    keyAlias: alias(FC.deletedAfterWaiting),
    keyArn: arn(FC.deletedAfterWaiting),
    action: 'alert',
    decisiveReason: 'old-use',
    reasonsInclude: ['old-use'],
    triggerEventId: schedule(FC.deletedAfterWaiting),
    why: 'last Decrypt 205 days before the scheduling',
  },
  {
    keyAlias: alias(FC.writeOnlyTrail),
    keyArn: arn(FC.writeOnlyTrail),
    action: 'alert',
    decisiveReason: 'usage-events-unverified',
    reasonsInclude: ['usage-events-unverified'],
    triggerEventId: schedule(FC.writeOnlyTrail),
    why: 'never used in 200 days, but its account sends no read-only events at all: absence of use proves nothing',
  },
];

export const FAIL_CLOSED_NO_DECISION: ExpectedNoDecision[] = [
  {
    keyAlias: alias(FC.reEncryptSource),
    keyArn: arn(FC.reEncryptSource),
    forbiddenActions: ['cancel-deletion', 'allow-deletion'],
    why: 'the source of the failing ReEncrypt is not pending deletion: the failure concerns the destination',
  },
  {
    keyAlias: alias(FC.publicKeyExportedDisabled),
    keyArn: arn(FC.publicKeyExportedDisabled),
    forbiddenActions: ['allow-deletion'],
    why: 'an exported public key of an encryption key outranks disabled-without-failures',
  },
  {
    keyAlias: alias(FC.recencyAtScheduling),
    keyArn: arn(FC.recencyAtScheduling),
    forbiddenActions: [],
    forbiddenReasons: ['old-use'],
    why: 'judged at the scheduling: the sweep at --now, 100 days after the last use, must not call it old',
  },
  {
    keyAlias: alias(FC.writeOnlyTrail),
    keyArn: arn(FC.writeOnlyTrail),
    forbiddenActions: ['allow-deletion'],
    why: 'no positive evidence that usage events arrive from its account',
  },
  ...Object.values(FC).map(
    (key): ExpectedNoDecision => ({
      keyAlias: alias(key),
      keyArn: arn(key),
      forbiddenActions: [],
      forbiddenReasons: ['deletion-reminder-7d', 'deletion-reminder-1d', 'evidence-unavailable', 'decision-store-unavailable'],
      why: 'deletion dates more than 7 days after --now, or past (the key was deleted); replay reads everything it needs',
    }),
  ),
];

/** The state each key's line must show after the replay. */
export const EXPECTED_KEY_STATES: { readonly keyAlias: string; readonly keyArn: string; readonly state: string; readonly why: string }[] = [
  {
    keyAlias: alias(FC.deletedAfterWaiting),
    keyArn: arn(FC.deletedAfterWaiting),
    state: 'Deleted',
    why: "KMS's own DeleteKey record (eventType AwsServiceEvent) ended the waiting period",
  },
  {
    keyAlias: alias(FC.importedMaterialExpired),
    keyArn: arn(FC.importedMaterialExpired),
    state: 'PendingDeletion',
    why: 'scheduled from PendingImport after DeleteExpiredKeyMaterial; replay cancels nothing',
  },
];

EXPECTED_DECISIONS.push(...FAIL_CLOSED_DECISIONS);
EXPECTED_NO_DECISION.push(...FAIL_CLOSED_NO_DECISION);
