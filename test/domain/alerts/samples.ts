/** Real CloudTrail samples (test/fixtures/cloudtrail) through the real ingest, for the alert rules' tests. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { KmsEvent } from '../../../lib/domain/kms-event.js';
import { parseRecord } from '../../../lib/ingest/parse-record.js';
import { cloudTrailSamplesDir } from '../../support/fixtures.js';

export const samplesDir = cloudTrailSamplesDir;

/** The raw record, to be structuredClone'd before a test changes it. */
export const sampleRecord = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(samplesDir, file), 'utf8')) as Record<string, unknown>;

export const eventFrom = (record: unknown, source = 'test'): KmsEvent => {
  const outcome = parseRecord(record, source, 0);
  if (outcome.kind !== 'event') throw new Error(`${source}: expected an event, got ${JSON.stringify(outcome)}`);
  return outcome.event;
};

export const sampleEvent = (file: string): KmsEvent => eventFrom(sampleRecord(file), file);

/** A sample with requestParameters (and optionally more) replaced. */
export const sampleWith = (file: string, change: (record: Record<string, unknown>) => void): KmsEvent => {
  const record = structuredClone(sampleRecord(file));
  change(record);
  return eventFrom(record, file);
};

export const PUT_KEY_POLICY = 'awsdocs-kms-developer-guide/ct-put-key-policy.json';
export const CREATE_KEY_DEFAULT = 'awsdocs-kms-developer-guide/ct-createkey-1.json';
export const CREATE_KEY_CLOUDHSM = 'awsdocs-kms-developer-guide/ct-createkey-2.json';
export const CREATE_KEY_XKS = 'awsdocs-kms-developer-guide/ct-createkey-3.json';
export const PUBLIC_POLICY = 'panther-labs-panther-analysis/aws_resource_made_public__wildcard-principal-no-conditions-should-alert.json';
export const RESTRICTED_POLICY = 'panther-labs-panther-analysis/aws_resource_made_public__kms-key-restricted-access-should-not-alert.json';
export const DISABLE_KEY = 'awsdocs-kms-developer-guide/ct-disablekey.json';
export const DISABLE_KEY_FAILED = 'panther-labs-panther-analysis/aws_kms_cmk_loss__kms-disable-key-error.json';
export const DISABLE_KEY_2026 = 'github-lab-writeups/fr-academy-lab__DisableKey.json';

/** CloudTrail records in the documented shape of these calls (the shared samples hold none). */
export const cksRecord = (eventName: string, requestParameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  eventVersion: '1.08',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/Alice', accountId: '111122223333' },
  eventTime: '2024-05-01T10:00:00Z',
  eventSource: eventName.endsWith('Hsm') ? 'cloudhsm.amazonaws.com' : 'kms.amazonaws.com',
  eventName,
  awsRegion: 'us-west-2',
  requestParameters,
  responseElements: null,
  eventID: `${eventName}-1`,
  eventType: 'AwsApiCall',
  recipientAccountId: '111122223333',
  ...extra,
});
