/**
 * The keys and grants of the grant-safety scenarios (grant-safety-scenarios.ts), named here so that the oracle
 * (test/replay/scenario-expectations.ts) names the same ones. Partners call from the second account.
 */
import { ACCOUNT, REGION, SECOND_ACCOUNT, uuidFor, type ScenarioKey } from './ids.js';

const key = (name: string): ScenarioKey => ({ name, keyId: uuidFor(`key/${name}`), account: ACCOUNT, region: REGION });

export const GRANT_SAFETY_KEYS = {
  crossAccount: key('grant-cross-account'),
  serviceLinkedRole: key('grant-service-linked-role'),
  reEncryptSource: key('grant-reencrypt-source'),
  reEncryptDestination: key('grant-reencrypt-destination'),
  describeOnly: key('grant-describe-only'),
  disabledKey: key('grant-disabled-key'),
  forgotten: key('grant-forgotten'),
  serviceLooking: key('grant-service-looking'),
} as const satisfies Record<string, ScenarioKey>;

/** Grant names, as grantIdOf(key, name) takes them. */
export const GRANT_SAFETY_GRANTS = {
  partnerReporting: 'partner-reporting',
  autoScaling: 'autoscaling-slr',
  rotationFrom: 'rotation-from',
  rotationTo: 'rotation-to',
  keyInventory: 'key-inventory',
  archiveReader: 'archive-reader',
  legacyMigration: 'legacy-migration',
  devSandbox: 'dev-sandbox',
  reportingEtl: 'reporting-etl',
} as const;

export const PARTNER_ACCOUNT = SECOND_ACCOUNT;
export const AUTOSCALING_SLR = `arn:aws:iam::${SECOND_ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
