/**
 * Every published sample through readInputs, against expectations written by reading each file
 * (not derived with the code under test).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listInputFiles } from '../../lib/ingest/read-inputs.js';
import { collect, samplePath, samplesDir } from './support.js';

type Expected = { readonly index: number; readonly eventName: string; readonly keyArns: readonly string[] } | { readonly index: number; readonly skipped: true };

const KEY_1234 = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_0987 = 'arn:aws:kms:us-west-2:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321';
const KEY_MRK = 'arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';
const KEY_EBS_2017 = 'arn:aws:kms:us-east-1:123456789012:key/e29ddfd4-1bf6-4e1b-8ecb-08216bd70d07';
const KEY_LOGIN_GOV = 'arn:aws:kms:us-west-2:987654321098:key/02be2f6d-4e88-4bd3-84d4-97766993c5b4';
const KEY_ELASTIC_DISABLE = 'arn:aws:kms:us-east-1:1010101010101:key/65479477-67d5-4b84-b71c-d540f7a8f31f';
const KEY_ELASTIC_DELETE = 'arn:aws:kms:us-east-1:000000000:key/27d7cd14-7557-4509-a438-15fbf1e8db11';
const KEY_LAB_LAMBDA = 'arn:aws:kms:us-east-1:830834166987:key/69ba0c3d-57aa-4fe5-8318-b2a40e1366b6';
const KEY_LAB_S3 = 'arn:aws:kms:us-east-1:830834166987:key/313e9dc0-fec9-4cac-b343-fc7233316514';
const KEY_ACADEMY = 'arn:aws:kms:us-east-1:715248393954:key/55487ec5-4c6b-4c87-80e5-3cfa8bcfc271';
const KEY_PANTHER_LAMBDA = 'arn:aws:kms:us-east-1:888888888888:key/90be6df2-db60-4237-ad9b-a49260XXXXX';
const KEY_PANTHER_TRAIL = 'arn:aws:kms:us-west-2:888888888888:key/72c37aae-1000-4058-93d4-86374c0fe9a0';
const KEY_RULE_TEST = 'arn:aws:kms:us-west-2:123456789012:key/1';

const one = (eventName: string, ...keyArns: string[]): Expected[] => [{ index: 1, eventName, keyArns }];

const EXPECTED: Readonly<Record<string, readonly Expected[]>> = {
  // SQS batch and its body: symmetric Decrypt, key only in detail.resources[].
  '18F-identity-lambda-functions/test_cloudtrail_records.json': one('Decrypt', KEY_LOGIN_GOV),
  '18F-identity-lambda-functions/test_cloudtrail_records.2019-04-19.json': one('Decrypt', KEY_LOGIN_GOV),
  '18F-identity-lambda-functions/test_cloudtrail_records.sqs-body.eventbridge-event.json': one('Decrypt', KEY_LOGIN_GOV),
  '18F-identity-lambda-functions/test_cloudtrail_records.2019-04-19.sqs-body.eventbridge-event.json': one('Decrypt', KEY_LOGIN_GOV),

  'awsdocs-kms-developer-guide/ct-cancel-key-deletion.json': one('CancelKeyDeletion', KEY_1234),
  'awsdocs-kms-developer-guide/ct-creategrant.json': one('CreateGrant', KEY_1234),
  'awsdocs-kms-developer-guide/ct-createkey-1.json': one('CreateKey', KEY_1234),
  'awsdocs-kms-developer-guide/ct-createkey-2.json': one('CreateKey', KEY_0987),
  // resources[] names another account's key (a sanitising slip in the docs); keyMetadata.arn is the created key.
  'awsdocs-kms-developer-guide/ct-createkey-3.json': one('CreateKey', KEY_1234),
  'awsdocs-kms-developer-guide/ct-decrypt-1.json': one('Decrypt', KEY_1234),
  'awsdocs-kms-developer-guide/ct-decrypt-3.json': one('Decrypt', KEY_1234),
  'awsdocs-kms-developer-guide/ct-decrypt-4.json': one('Decrypt', KEY_0987),
  'awsdocs-kms-developer-guide/ct-decrypt-5.json': one('Decrypt', KEY_0987),
  'awsdocs-kms-developer-guide/ct-delete-key-1.json': one('DeleteKey', KEY_1234),
  'awsdocs-kms-developer-guide/ct-delete-key-2.json': one('DeleteKey', KEY_1234),
  // Bare keyId in us-east-1, but resources[] has the ARN (us-west-2): the ARN wins, nothing is invented.
  'awsdocs-kms-developer-guide/ct-disablekey.json': one('DisableKey', KEY_1234),
  'awsdocs-kms-developer-guide/ct-enablekey.json': one('EnableKey', KEY_1234),
  'awsdocs-kms-developer-guide/ct-ec2one.json': [
    { index: 1, skipped: true },
    { index: 2, eventName: 'GenerateDataKeyWithoutPlaintext', keyArns: [KEY_1234] },
  ],
  'awsdocs-kms-developer-guide/ct-ec2two.json': [
    { index: 1, skipped: true },
    { index: 2, eventName: 'CreateGrant', keyArns: [KEY_1234] },
    { index: 3, eventName: 'GenerateDataKeyWithoutPlaintext', keyArns: [KEY_1234] },
    { index: 4, eventName: 'Decrypt', keyArns: [KEY_1234] },
  ],
  'awsdocs-kms-developer-guide/ct-ec2two-2017-original.json': [
    { index: 1, skipped: true },
    { index: 2, eventName: 'CreateGrant', keyArns: [KEY_EBS_2017] },
    { index: 3, eventName: 'GenerateDataKeyWithoutPlaintext', keyArns: [KEY_EBS_2017] },
    { index: 4, eventName: 'Decrypt', keyArns: [KEY_EBS_2017] },
  ],
  'awsdocs-kms-developer-guide/ct-generatedatakey.json': one('GenerateDataKey', KEY_1234),
  'awsdocs-kms-developer-guide/ct-generatedatakeyplaintext.json': one('GenerateDataKeyWithoutPlaintext', KEY_1234),
  'awsdocs-kms-developer-guide/ct-listgrants.json': one('ListGrants', KEY_1234),
  'awsdocs-kms-developer-guide/ct-put-key-policy.json': one('PutKeyPolicy', KEY_1234),
  'awsdocs-kms-developer-guide/ct-reencrypt.json': one('ReEncrypt', KEY_1234, KEY_0987),
  'awsdocs-kms-developer-guide/ct-retire-grant.json': one('RetireGrant', KEY_1234),
  'awsdocs-kms-developer-guide/ct-revoke-grant.json': one('RevokeGrant', KEY_1234),
  'awsdocs-kms-developer-guide/ct-schedule-key-deletion-1.json': one('ScheduleKeyDeletion', KEY_1234),
  'awsdocs-kms-developer-guide/ct-schedule-key-deletion-2.json': one('ScheduleKeyDeletion', KEY_MRK),
  'awsdocs-kms-developer-guide/ct-schedule-key-deletion-3.json': one('ScheduleKeyDeletion', KEY_0987),
  'awsdocs-kms-developer-guide/ct-sign.json': one('Sign', KEY_0987),
  'awsdocs-kms-developer-guide/ct-verify.json': one('Verify', KEY_0987),
  'awsdocs-kms-developer-guide/kms-events-1.json': one('KMS CMK Rotation', KEY_1234),
  'awsdocs-kms-developer-guide/kms-events-2.json': one('KMS Imported Key Material Expiration', KEY_1234),
  'awsdocs-kms-developer-guide/kms-events-3.json': one('KMS CMK Deletion', KEY_1234),

  'elastic-integrations/test-disable-key.jsonl': [{ index: 1, eventName: 'DisableKey', keyArns: [KEY_ELASTIC_DISABLE] }],
  'elastic-integrations/test-schedule-key-deletion.jsonl': [{ index: 1, eventName: 'ScheduleKeyDeletion', keyArns: [KEY_ELASTIC_DELETE] }],

  'github-lab-writeups/aws-kms-intro-lab__kms-records.jsonl': [
    { index: 1, eventName: 'Decrypt', keyArns: [KEY_LAB_LAMBDA] },
    { index: 2, eventName: 'Decrypt', keyArns: [KEY_LAB_LAMBDA] },
    { index: 3, eventName: 'ListAliases', keyArns: [] },
    { index: 4, eventName: 'GenerateDataKey', keyArns: [KEY_LAB_S3] },
    { index: 5, eventName: 'Decrypt', keyArns: [KEY_LAB_LAMBDA] },
  ],
  'github-lab-writeups/fr-academy-lab__AttachVolume-failed-key-disabled.json': [{ index: 1, skipped: true }],
  'github-lab-writeups/fr-academy-lab__CreateGrant-by-ec2-for-ebs-attach.json': one('CreateGrant', KEY_ACADEMY),
  'github-lab-writeups/fr-academy-lab__Decrypt-by-ec2-infrastructure-ebs-attach.json': one('Decrypt', KEY_ACADEMY),
  'github-lab-writeups/fr-academy-lab__DisableKey.json': one('DisableKey', KEY_ACADEMY),
  'github-lab-writeups/fr-academy-lab__GenerateDataKeyWithoutPlaintext-by-ec2-create-volume.json': one(
    'GenerateDataKeyWithoutPlaintext',
    KEY_ACADEMY,
  ),

  'panther-labs-panther/cloud_trail_decrypt.json': one('Decrypt', KEY_PANTHER_LAMBDA),
  'panther-labs-panther/cloud_trail_generate_data_key.json': one('GenerateDataKey', KEY_PANTHER_TRAIL),
  'panther-labs-panther/handler_test-sampleCloudTrail-GenerateDataKey.json': one('GenerateDataKey', KEY_PANTHER_TRAIL),

  'panther-labs-panther-analysis/aws_cloudtrail_created__kms-decrypt-event.json': one('Decrypt', KEY_RULE_TEST),
  'panther-labs-panther-analysis/aws_kms_cmk_loss__kms-disable-key-error.json': one('DisableKey', KEY_RULE_TEST),
  'panther-labs-panther-analysis/aws_kms_cmk_loss__kms-key-disabled.json': one('DisableKey', KEY_RULE_TEST),
  'panther-labs-panther-analysis/aws_kms_cmk_loss__kms-key-non-deletion-event.json': one('Decrypt', KEY_RULE_TEST),
  'panther-labs-panther-analysis/aws_kms_cmk_loss__kms-key-scheduled-for-deletion.json': one('ScheduleKeyDeletion', KEY_RULE_TEST),
  // resources: null; the key is only in responseElements.keyId.
  'panther-labs-panther-analysis/aws_kms_cmk_loss__kms-key-scheduled-for-deletion-missing-resources.json': one(
    'ScheduleKeyDeletion',
    KEY_RULE_TEST,
  ),
  'panther-labs-panther-analysis/aws_resource_made_public__kms-key-restricted-access-should-not-alert.json': one(
    'PutKeyPolicy',
    'arn:aws:kms:us-west-2:123456789012:key/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx',
  ),
  // No keyId, no resources, no account anywhere: no key is invented.
  'panther-labs-panther-analysis/aws_resource_made_public__wildcard-principal-no-conditions-should-alert.json': one('PutKeyPolicy'),
  'panther-labs-panther-analysis/aws_unused_region__unauthorized-region-read-only.json': one(
    'Decrypt',
    'arn:aws:kms:us-west-2:123456789012:key/1111',
  ),
};

const MALFORMED: Readonly<Record<string, string>> = {
  'malformed/ct-decrypt-2.json': 'line 18',
  'malformed/ct-encrypt.json': 'line 23',
};

describe('every published CloudTrail sample', () => {
  it('is listed in the expectation table, so a new sample cannot go unchecked', async () => {
    const { files, ignored } = await listInputFiles([samplesDir]);

    const listed = files.map((file) => path.relative(samplesDir, file)).sort();

    expect(listed).toEqual([...Object.keys(EXPECTED), ...Object.keys(MALFORMED)].sort());
    expect(ignored.every((file) => file.endsWith('README.md'))).toBe(true);
  });

  describe.each(Object.entries(EXPECTED))('%s', (file, expected) => {
    it('yields each record with the right event name and key ARNs', async () => {
      const records = await collect([samplePath(file)]);

      const seen = records.map(({ index, outcome }) => {
        if (outcome.kind === 'event') return { index, eventName: outcome.event.eventName, keyArns: outcome.event.keyArns };
        if (outcome.kind === 'skipped') return { index, skipped: true };
        return { index, rejected: outcome.error.message };
      });
      expect(seen).toEqual(expected);
      expect(records.every((record) => record.source === samplePath(file))).toBe(true);
    });
  });

  describe.each(Object.entries(MALFORMED))('%s (not valid JSON)', (file, position) => {
    it('is rejected once, naming the file and the JSON parser error with its position', async () => {
      const records = await collect([samplePath(file)]);

      expect(records).toHaveLength(1);
      const [record] = records;
      expect(record?.index).toBeUndefined();
      expect(record?.outcome.kind).toBe('rejected');
      if (record?.outcome.kind !== 'rejected') return;
      expect(record.outcome.error.source).toBe(samplePath(file));
      expect(record.outcome.error.message).toContain(samplePath(file));
      expect(record.outcome.error.reason).toMatch(/^not valid JSON: .*in JSON at position \d+/);
      expect(record.outcome.error.reason).toContain(position);
    });
  });
});
