/** The traps of finding a record's keys, each on a copy of a real sample. */
import { describe, expect, it } from 'vitest';
import { parseRecord } from '../../lib/ingest/parse-record.js';
import { eventOf, loadSample, loadSampleLine } from './support.js';

const keysOf = (record: unknown): readonly string[] => eventOf(parseRecord(record, 'test', 0)).keyArns;

const KEY_1234 = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_0987 = 'arn:aws:kms:us-west-2:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321';

describe('the key ARNs of a CloudTrail record', () => {
  describe('for a symmetric Decrypt, which has no requestParameters.keyId', () => {
    it('come from resources[].ARN', () => {
      const decrypt = loadSampleLine('github-lab-writeups/aws-kms-intro-lab__kms-records.jsonl', 1);

      expect(keysOf(decrypt)).toEqual(['arn:aws:kms:us-east-1:830834166987:key/69ba0c3d-57aa-4fe5-8318-b2a40e1366b6']);
    });

    it('come from resources[].arn when a copy writes the key in lower case', () => {
      const decrypt = loadSample('panther-labs-panther/cloud_trail_decrypt.json');

      expect(keysOf(decrypt)).toEqual(['arn:aws:kms:us-east-1:888888888888:key/90be6df2-db60-4237-ad9b-a49260XXXXX']);
    });

    it('are empty, not invented, when resources is missing or null', () => {
      const missing = loadSample('awsdocs-kms-developer-guide/ct-decrypt-1.json');
      delete missing.resources;
      delete (missing.requestParameters as Record<string, unknown>).keyId;
      const nulled = structuredClone(missing);
      nulled.resources = null;

      expect(keysOf(missing)).toEqual([]);
      expect(keysOf(nulled)).toEqual([]);
    });
  });

  it('leave out resources[] entries that are not KMS key ARNs (aliases, other services, junk)', () => {
    const record = loadSample('awsdocs-kms-developer-guide/ct-decrypt-1.json');
    delete (record.requestParameters as Record<string, unknown>).keyId;
    record.resources = [
      { ARN: 'arn:aws:kms:us-west-2:111122223333:alias/ExampleAlias', type: 'AWS::KMS::Key' },
      { ARN: 'arn:aws:s3:::bucket' },
      'not an object',
      null,
      { ARN: 42 },
      { ARN: KEY_1234 },
    ];

    expect(keysOf(record)).toEqual([KEY_1234]);
  });

  it('name each key once when the request and resources[] repeat it', () => {
    const record = loadSample('awsdocs-kms-developer-guide/ct-creategrant.json');

    expect(keysOf(record)).toEqual([KEY_1234]);
  });

  describe('for ReEncrypt, which names two keys', () => {
    it('are [source, destination] in resources[] order', () => {
      const reEncrypt = loadSample('awsdocs-kms-developer-guide/ct-reencrypt.json');

      expect(keysOf(reEncrypt)).toEqual([KEY_1234, KEY_0987]);
    });

    it('are [sourceKeyId, destinationKeyId] when resources[] is missing', () => {
      const reEncrypt = loadSample('awsdocs-kms-developer-guide/ct-reencrypt.json');
      delete reEncrypt.resources;
      (reEncrypt.requestParameters as Record<string, unknown>).sourceKeyId = KEY_1234;

      // destinationKeyId is the bare id 0987…: built in the event's region and account.
      expect(keysOf(reEncrypt)).toEqual([KEY_1234, KEY_0987]);
    });
  });

  describe('for ScheduleKeyDeletion, whose requestParameters.keyId is whatever the caller typed', () => {
    it('prefer responseElements.keyId, the ARN, over an alias in the request', () => {
      const schedule = loadSample('awsdocs-kms-developer-guide/ct-schedule-key-deletion-3.json');
      (schedule.requestParameters as Record<string, unknown>).keyId = 'alias/payments';
      schedule.resources = null;

      expect(keysOf(schedule)).toEqual([KEY_0987]);
    });

    it('prefer responseElements.keyId over a bare id that would be built in the wrong region', () => {
      // The docs' record says us-east-1, but the key is in us-west-2.
      const schedule = loadSample('awsdocs-kms-developer-guide/ct-schedule-key-deletion-1.json');
      schedule.resources = null;

      expect(keysOf(schedule)).toEqual([KEY_1234]);
    });
  });

  it('for CreateKey are responseElements.keyMetadata.arn', () => {
    const createKey = loadSample('awsdocs-kms-developer-guide/ct-createkey-2.json');
    delete createKey.resources;

    expect(keysOf(createKey)).toEqual([KEY_0987]);
  });

  it('for ReplicateKey are [primary, replica]', () => {
    const replicate = loadSample('awsdocs-kms-developer-guide/ct-schedule-key-deletion-2.json');
    const primary = 'arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';
    const replica = 'arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';
    Object.assign(replicate, {
      eventName: 'ReplicateKey',
      requestParameters: { keyId: 'mrk-1234abcd12ab34cd56ef1234567890ab', replicaRegion: 'eu-west-1' },
      responseElements: { replicaKeyMetadata: { arn: replica, keyId: 'mrk-1234abcd12ab34cd56ef1234567890ab' } },
    });

    expect(keysOf(replicate)).toEqual([primary, replica]);
  });

  describe('for CreateGrant', () => {
    it('come from responseElements.keyId when that is all there is', () => {
      const grant = loadSample('github-lab-writeups/fr-academy-lab__CreateGrant-by-ec2-for-ebs-attach.json');
      delete (grant.requestParameters as Record<string, unknown>).keyId;
      delete grant.resources;

      expect(keysOf(grant)).toEqual(['arn:aws:kms:us-east-1:715248393954:key/55487ec5-4c6b-4c87-80e5-3cfa8bcfc271']);
    });

    it('come from requestParameters.keyId when the response has none', () => {
      const grant = loadSample('awsdocs-kms-developer-guide/ct-creategrant.json');
      delete grant.resources;

      expect(keysOf(grant)).toEqual([KEY_1234]);
    });
  });

  it('for RetireGrant with requestParameters null come from resources[]', () => {
    const retire = loadSample('awsdocs-kms-developer-guide/ct-retire-grant.json');

    const event = eventOf(parseRecord(retire, 'test', 0));

    expect(event.keyArns).toEqual([KEY_1234]);
    expect(event.requestParameters).toEqual({});
    expect(event.additionalEventData).toEqual({ grantId: 'abcde1237f76e4ba7987489ac329fbfba6ad343d6f7075dbd1ef191f0120514a' });
  });

  describe('for a bare key id with no ARN anywhere', () => {
    const bare = (keyId: string, region: string) => {
      const record = loadSample('awsdocs-kms-developer-guide/ct-sign.json');
      delete record.resources;
      record.awsRegion = region;
      (record.requestParameters as Record<string, unknown>).keyId = keyId;
      return record;
    };

    it('are built from the region and recipientAccountId', () => {
      expect(keysOf(bare('0987dcba-09fe-87dc-65ba-ab0987654321', 'us-west-2'))).toEqual([KEY_0987]);
    });

    it('are built for a multi-Region key id', () => {
      expect(keysOf(bare('mrk-1234abcd12ab34cd56ef1234567890ab', 'eu-west-1'))).toEqual([
        'arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab',
      ]);
    });

    it('are built in the aws-cn and aws-us-gov partitions for their regions', () => {
      expect(keysOf(bare('0987dcba-09fe-87dc-65ba-ab0987654321', 'cn-north-1'))).toEqual([
        'arn:aws-cn:kms:cn-north-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321',
      ]);
      expect(keysOf(bare('0987dcba-09fe-87dc-65ba-ab0987654321', 'us-gov-west-1'))).toEqual([
        'arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321',
      ]);
    });

    it('are built with userIdentity.accountId when recipientAccountId is missing', () => {
      const record = bare('0987dcba-09fe-87dc-65ba-ab0987654321', 'us-west-2');
      delete record.recipientAccountId;
      (record.userIdentity as Record<string, unknown>).accountId = '444455556666';

      expect(keysOf(record)).toEqual(['arn:aws:kms:us-west-2:444455556666:key/0987dcba-09fe-87dc-65ba-ab0987654321']);
    });
  });

  it('are empty for an alias that nothing resolves', () => {
    const record = loadSample('awsdocs-kms-developer-guide/ct-ec2one.json');
    const generate = structuredClone((record.Records as Record<string, unknown>[])[1]);
    delete generate?.resources;

    expect((generate?.requestParameters as Record<string, unknown>).keyId).toBe('alias/aws/ebs');
    expect(keysOf(generate)).toEqual([]);
  });

  it('of an EventBridge event come from detail, not the empty envelope resources[]', () => {
    const event = loadSample('18F-identity-lambda-functions/test_cloudtrail_records.sqs-body.eventbridge-event.json');

    expect(event.resources).toEqual([]);
    expect(keysOf(event)).toEqual(['arn:aws:kms:us-west-2:987654321098:key/02be2f6d-4e88-4bd3-84d4-97766993c5b4']);
  });
});
