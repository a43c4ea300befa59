/** parseRecord and parseSqsMessage: what becomes an event, what is skipped, and what is rejected and why. */
import { afterEach, describe, expect, it } from 'vitest';
import { parseRecord, parseSqsMessage } from '../../lib/ingest/parse-record.js';
import { eventOf, loadSample, loadSampleLine, reasonOf } from './support.js';

const parse = (record: unknown) => parseRecord(record, 'sample.json', 3);
const decrypt = () => loadSample('awsdocs-kms-developer-guide/ct-decrypt-1.json');

/** An STS AssumeRole record, the most common non-KMS record in a CloudTrail log file. */
const assumeRole = {
  eventVersion: '1.08',
  userIdentity: { type: 'AWSService', invokedBy: 'lambda.amazonaws.com' },
  eventTime: '2025-10-27T00:00:51Z',
  eventSource: 'sts.amazonaws.com',
  eventName: 'AssumeRole',
  awsRegion: 'us-east-1',
  sourceIPAddress: 'lambda.amazonaws.com',
  userAgent: 'lambda.amazonaws.com',
  requestParameters: { roleArn: 'arn:aws:iam::830834166987:role/AWSLabsController', roleSessionName: 'AVS-AsyncResourceMonitor' },
  responseElements: { credentials: { accessKeyId: 'ASIAEXAMPLE', expiration: 'Oct 27, 2025, 12:00:51 PM' } },
  requestID: '9d1f3c2a-0b4e-4f6a-8c7d-1e2f3a4b5c6d',
  eventID: '5c8e2f0a-7b3d-4e1f-9a6c-2d4b8e0f1a3c',
  readOnly: true,
  eventType: 'AwsApiCall',
  managementEvent: true,
  recipientAccountId: '830834166987',
};

describe('parseRecord of a CloudTrail record', () => {
  it('normalises a complete record into a KmsEvent', () => {
    const event = eventOf(parse(decrypt()));

    expect(event).toEqual({
      eventId: 'abcde202-ba1a-467c-b4ba-f729d45ae521',
      eventTime: '2020-07-27T22:58:24.000Z',
      eventName: 'Decrypt',
      eventSource: 'kms.amazonaws.com',
      category: 'api-call',
      region: 'us-west-2',
      accountId: '111122223333',
      keyArns: ['arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
      caller: { principal: 'arn:aws:iam::111122223333:user/Alice', principalType: 'IAMUser' },
      requestParameters: {
        encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        keyId: 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        encryptionContext: { Department: 'Engineering', Project: 'Alpha' },
      },
      responseElements: {},
      additionalEventData: {},
      userAgent: 'AWS Internal',
      sourceIpAddress: '192.0.2.0',
    });
  });

  it('skips a non-KMS record (STS AssumeRole) with a reason, without rejecting it', () => {
    const outcome = parse(structuredClone(assumeRole));

    expect(outcome).toEqual({ kind: 'skipped', reason: 'not a KMS or CloudHSM event: sts.amazonaws.com AssumeRole', category: 'not-kms' });
  });

  it('accepts CloudHSM records', () => {
    const record = Object.assign(decrypt(), {
      eventSource: 'cloudhsm.amazonaws.com',
      eventName: 'DeleteHsm',
      requestParameters: { clusterId: 'cluster-1a23b4cdefg', hsmId: 'hsm-abcdefghijk' },
      responseElements: { hsmId: 'hsm-abcdefghijk' },
      resources: null,
    });

    expect(eventOf(parse(record))).toMatchObject({ eventSource: 'cloudhsm.amazonaws.com', eventName: 'DeleteHsm', keyArns: [] });
  });

  describe('eventTime', () => {
    const originalTz = process.env.TZ;
    afterEach(() => {
      if (originalTz === undefined) delete process.env.TZ;
      else process.env.TZ = originalTz;
    });

    it('is normalised to ISO-8601 UTC with milliseconds', () => {
      const record = Object.assign(decrypt(), { eventTime: '2020-07-27T22:58:24+02:00' });

      expect(eventOf(parse(record)).eventTime).toBe('2020-07-27T20:58:24.000Z');
    });

    it('without a zone ("2021-10-19 00:56:05", as some exports write it) is read as UTC, whatever the local zone', () => {
      process.env.TZ = 'America/New_York';
      const record = loadSample('panther-labs-panther-analysis/aws_unused_region__unauthorized-region-read-only.json');

      expect(eventOf(parse(record)).eventTime).toBe('2021-10-19T00:56:05.000Z');
    });

    it('missing rejects the record naming eventTime', () => {
      const record = decrypt();
      delete record.eventTime;

      expect(reasonOf(parse(record))).toBe('eventTime: missing');
    });

    it('that is not a time rejects the record naming eventTime', () => {
      expect(reasonOf(parse(Object.assign(decrypt(), { eventTime: 'yesterday' })))).toBe('eventTime: not an ISO-8601 time: "yesterday"');
      expect(reasonOf(parse(Object.assign(decrypt(), { eventTime: '2020-13-45T99:00:00Z' })))).toMatch(/^eventTime: not an ISO-8601 time/);
      expect(reasonOf(parse(Object.assign(decrypt(), { eventTime: 1595890704000 })))).toMatch(/^eventTime: expected a string, got number/);
    });
  });

  it.each(['eventID', 'eventName'])('rejects a record without %s, naming it', (field) => {
    const record = decrypt();
    delete record[field];

    expect(reasonOf(parse(record))).toBe(`${field}: missing`);
  });

  it('rejects a record without eventSource, naming it', () => {
    const record = decrypt();
    delete record.eventSource;

    expect(reasonOf(parse(record))).toBe('eventSource: missing');
  });

  it('rejects a record without awsRegion, naming it', () => {
    const record = decrypt();
    delete record.awsRegion;

    expect(reasonOf(parse(record))).toBe('awsRegion: missing');
  });

  it('reports every problem at once, each naming its field', () => {
    const record = decrypt();
    delete record.eventID;
    record.eventTime = '';

    expect(reasonOf(parse(record))).toBe('eventID: missing; eventTime: empty');
  });

  it('carries the source and record index in the rejection', () => {
    const record = decrypt();
    delete record.eventID;

    const outcome = parseRecord(record, 'logs/2024/10/14/trail.json.gz', 17);

    expect(outcome.kind === 'rejected' && outcome.error).toMatchObject({
      name: 'InvalidRecordError',
      source: 'logs/2024/10/14/trail.json.gz',
      position: 'record 17',
      message: 'logs/2024/10/14/trail.json.gz record 17: eventID: missing',
    });
  });

  it('rejects input that is not an object', () => {
    expect(reasonOf(parse(['Decrypt']))).toBe('(record): expected a CloudTrail record (a JSON object), got an array');
    expect(reasonOf(parse('Decrypt'))).toBe('(record): expected a CloudTrail record (a JSON object), got string "Decrypt"');
  });

  describe('requestParameters, responseElements and additionalEventData', () => {
    it('read null or absent as {}', () => {
      const record = Object.assign(decrypt(), { requestParameters: null, responseElements: null });
      delete record.additionalEventData;

      const event = eventOf(parse(record));

      expect([event.requestParameters, event.responseElements, event.additionalEventData]).toEqual([{}, {}, {}]);
    });

    it.each([
      ['requestParameters', 'keyId=1234', 'string "keyId=1234"'],
      ['responseElements', [], 'an array'],
      ['additionalEventData', 7, 'number 7'],
    ])('reject %s of another type, naming the field', (field, value, described) => {
      const record = Object.assign(decrypt(), { [field]: value });

      expect(reasonOf(parse(record))).toBe(`${field}: expected an object or null, got ${described}`);
    });
  });

  describe('error', () => {
    it('carries errorCode and errorMessage of a failed call', () => {
      const record = loadSample('awsdocs-kms-developer-guide/ct-decrypt-5.json');

      expect(eventOf(parse(record)).error).toEqual({
        code: 'KMSInvalidStateException',
        message:
          'The external key store proxy rejected the request because the specified ciphertext or additional authenticated data is corrupted, missing, or otherwise invalid.',
      });
    });

    it('has an empty message when CloudTrail gives only the code', () => {
      const record = loadSample('awsdocs-kms-developer-guide/ct-generatedatakeyplaintext.json');

      expect(eventOf(parse(record)).error).toEqual({ code: 'InvalidKeyUsageException', message: '' });
    });

    it('is absent for a successful call', () => {
      expect(eventOf(parse(decrypt()))).not.toHaveProperty('error');
    });
  });

  it('is a service-event for eventType AwsServiceEvent (KMS deleting a key), an api-call otherwise', () => {
    const deleteKey = loadSample('awsdocs-kms-developer-guide/ct-delete-key-1.json');

    expect(eventOf(parse(deleteKey)).category).toBe('service-event');
    expect(eventOf(parse(decrypt())).category).toBe('api-call');
  });

  describe('accountId', () => {
    it('is recipientAccountId even when the key belongs to another account', () => {
      const record = loadSample('panther-labs-panther/cloud_trail_generate_data_key.json');

      expect(eventOf(parse(record)).accountId).toBe('777777777777');
    });

    it('is the first key’s account when recipientAccountId is missing', () => {
      const record = decrypt();
      delete record.recipientAccountId;
      (record.userIdentity as Record<string, unknown>).accountId = '999988887777';

      expect(eventOf(parse(record)).accountId).toBe('111122223333');
    });

    it('is userIdentity.accountId when neither a recipient nor a key names one', () => {
      const record = loadSampleLine('github-lab-writeups/aws-kms-intro-lab__kms-records.jsonl', 3);
      delete record.recipientAccountId;

      expect(eventOf(parse(record)).accountId).toBe('830834166987');
    });
  });

  it('copies userAgent and sourceIPAddress only when they are strings', () => {
    const record = Object.assign(decrypt(), { userAgent: { browser: 'x' }, sourceIPAddress: '203.0.113.9' });

    const event = eventOf(parse(record));

    expect(event).not.toHaveProperty('userAgent');
    expect(event.sourceIpAddress).toBe('203.0.113.9');
  });
});

describe('parseRecord of an EventBridge event', () => {
  const eventBridge = () => loadSample('18F-identity-lambda-functions/test_cloudtrail_records.sqs-body.eventbridge-event.json');

  it('reads detail as the CloudTrail record', () => {
    const event = eventOf(parse(eventBridge()));

    expect(event).toMatchObject({
      eventId: '56237e9e-c490-47c3-bdd7-e106041c44f0',
      eventTime: '2019-03-08T13:32:07.000Z',
      eventName: 'Decrypt',
      region: 'us-west-2',
      accountId: '987654321098',
      userAgent: 'aws-sdk-ruby3/3.48.1 ruby/2.7.2 x86_64-linux aws-sdk-kms/1.15.0',
    });
  });

  it('names detail fields in a rejection', () => {
    const envelope = eventBridge();
    delete (envelope.detail as Record<string, unknown>).eventTime;

    expect(reasonOf(parse(envelope))).toBe('detail.eventTime: missing');
  });

  it('rejects a CloudTrail detail-type whose detail is not an object', () => {
    const envelope = Object.assign(eventBridge(), { detail: 'Decrypt' });

    expect(reasonOf(parse(envelope))).toMatch(/^detail\.\(record\): expected a CloudTrail record/);
  });

  it('skips events that are not about KMS', () => {
    const ec2 = Object.assign(eventBridge(), { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification' });

    expect(parse(ec2)).toEqual({
      kind: 'skipped',
      reason: 'not a KMS event: EventBridge aws.ec2 "EC2 Instance State-change Notification"',
      category: 'not-kms',
    });
  });

  describe('KMS service events', () => {
    const deletion = () => loadSample('awsdocs-kms-developer-guide/kms-events-3.json');

    it('take eventId, eventTime and place from the envelope and the key from resources[]', () => {
      const event = eventOf(parse(deletion()));

      expect(event).toEqual({
        eventId: 'e9ce3425-7d22-412a-a699-e7a5fc3fbc9a',
        eventTime: '2022-08-10T16:37:50.000Z',
        eventName: 'KMS CMK Deletion',
        eventSource: 'kms.amazonaws.com',
        category: 'service-event',
        region: 'us-west-2',
        accountId: '111122223333',
        keyArns: ['arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
        caller: { principal: 'kms.amazonaws.com', principalType: 'AWSService', service: 'kms' },
        requestParameters: {},
        responseElements: {},
        additionalEventData: { 'key-id': '1234abcd-12ab-34cd-56ef-1234567890ab' },
      });
    });

    it('build the key ARN from detail key-id, region and account when resources[] is empty', () => {
      const rotation = Object.assign(loadSample('awsdocs-kms-developer-guide/kms-events-1.json'), {
        resources: [],
        region: 'cn-northwest-1',
      });

      expect(eventOf(parse(rotation)).keyArns).toEqual([
        'arn:aws-cn:kms:cn-northwest-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ]);
    });

    it('are rejected when nothing names the key', () => {
      const event = Object.assign(deletion(), { resources: [], detail: {} });

      expect(reasonOf(parse(event))).toBe('detail.key-id: missing, and resources[] names no key');
    });

    it('are rejected without an id or time, naming the envelope field', () => {
      const event = deletion();
      delete event.id;
      event.time = 'soon';

      expect(reasonOf(parse(event))).toBe('id: missing; time: not an ISO-8601 time: "soon"');
    });
  });
});

describe('parseSqsMessage', () => {
  const batch = () => loadSample('18F-identity-lambda-functions/test_cloudtrail_records.json');

  it('parses the EventBridge event in the body of a message as Lambda receives it', () => {
    const [message] = batch().Records as { messageId: string; body: string }[];
    if (message === undefined) throw new Error('sample has no message');

    expect(eventOf(parseSqsMessage(message))).toMatchObject({
      eventId: '56237e9e-c490-47c3-bdd7-e106041c44f0',
      eventName: 'Decrypt',
      keyArns: ['arn:aws:kms:us-west-2:987654321098:key/02be2f6d-4e88-4bd3-84d4-97766993c5b4'],
    });
  });

  it('rejects a body that is not JSON, naming the message and the parser error', () => {
    const outcome = parseSqsMessage({ messageId: 'c40be4cf-2bf6-44d0-a547-6f299cc8b3ae', body: '{"version":"0",' });

    expect(outcome.kind).toBe('rejected');
    if (outcome.kind !== 'rejected') return;
    expect(outcome.error.source).toBe('SQS message c40be4cf-2bf6-44d0-a547-6f299cc8b3ae');
    expect(outcome.error.reason).toMatch(/^body: not valid JSON: .*JSON/);
  });
});
