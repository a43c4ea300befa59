/**
 * Records whose key fields disagree, name no key the guard can resolve, or name it only in errorMessage: each on a
 * copy of a real sample, changed the way real logs differ.
 */
import { describe, expect, it } from 'vitest';
import { parseRecord } from '../../lib/ingest/parse-record.js';
import { eventOf, loadSample, reasonOf } from './support.js';

const KEY_1234 = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_0987 = 'arn:aws:kms:us-west-2:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321';

const parse = (record: unknown) => parseRecord(record, 'trail.json', 4);
const decrypt = () => loadSample('awsdocs-kms-developer-guide/ct-decrypt-1.json');
const request = (record: Record<string, unknown>) => record.requestParameters as Record<string, unknown>;

describe('a single-key call whose key fields disagree', () => {
  it('counts against the one key resources[] names, KMS’s own resolution of the request', () => {
    const record = decrypt();
    request(record).keyId = KEY_0987;

    expect(eventOf(parse(record)).keyArns).toEqual([KEY_1234]);
  });

  it('counts against one key even when resources[] lists two', () => {
    const record = decrypt();
    record.resources = [{ ARN: KEY_1234 }, { ARN: KEY_0987 }];

    expect(eventOf(parse(record)).keyArns).toEqual([KEY_1234]);
  });

  it('for a grant call, names one key whatever responseElements says', () => {
    const grant = loadSample('awsdocs-kms-developer-guide/ct-creategrant.json');
    grant.responseElements = { ...(grant.responseElements as object), keyId: KEY_0987 };

    expect(eventOf(parse(grant)).keyArns).toEqual([KEY_1234]);
  });
});

describe('a failed call', () => {
  const failed = (message: string) => {
    const record = decrypt();
    delete request(record).keyId;
    delete record.resources;
    return Object.assign(record, { errorCode: 'AccessDeniedException', errorMessage: message });
  };

  it('takes its key from errorMessage, where AWS writes the resource that refused it', () => {
    const record = failed(
      `User: arn:aws:sts::111122223333:assumed-role/app/i-0abc is not authorized to perform: kms:Decrypt on resource: ${KEY_0987} because no identity-based policy allows the kms:Decrypt action`,
    );

    const event = eventOf(parse(record));
    expect(event.keyArns).toEqual([KEY_0987]);
    expect(event.unresolvedKey).toBeUndefined();
  });

  it('of a ReEncrypt refused by its destination counts against the destination, not the source', () => {
    const reEncrypt = loadSample('awsdocs-kms-developer-guide/ct-reencrypt.json');
    Object.assign(reEncrypt, { errorCode: 'KMSInvalidStateException', errorMessage: `${KEY_0987} is pending deletion.` });

    expect(eventOf(parse(reEncrypt)).keyArns).toEqual([KEY_0987]);
  });

  it('whose message names no key still resolves from its request', () => {
    const record = decrypt();
    Object.assign(record, { errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' });

    expect(eventOf(parse(record)).keyArns).toEqual([KEY_1234]);
  });
});

describe('a call that names its key in a form the guard cannot resolve', () => {
  it.each([
    ['an alias', 'alias/orders', 'requestParameters.keyId: "alias/orders" is an alias'],
    ['an alias ARN', 'arn:aws:kms:us-west-2:111122223333:alias/orders', 'is an alias'],
    ['the documentation placeholder', 'arn:aws:kms:Region:account_ID:key_ID', 'is a placeholder'],
    ['a template placeholder', '{{kmsKeyId}}', 'is a placeholder'],
    ['an empty string', '', 'requestParameters.keyId: empty'],
  ])('is kept with a diagnostic naming the field when keyId is %s', (_what, keyId, said) => {
    const record = decrypt();
    request(record).keyId = keyId;
    delete record.resources;

    const event = eventOf(parse(record));
    expect(event.keyArns).toEqual([]);
    expect(event.unresolvedKey).toContain(said);
    expect(event.unresolvedKey).toContain('resources[]: none');
  });

  it('names the EventBridge detail fields when the record came in an event', () => {
    const record = decrypt();
    request(record).keyId = 'alias/orders';
    delete record.resources;
    const event = { version: '0', id: 'e1', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.kms', account: '111122223333', region: 'us-west-2', time: '2020-07-27T22:58:24Z', resources: [], detail: record };

    expect(eventOf(parse(event)).unresolvedKey).toMatch(/^detail\.requestParameters\.keyId: "alias\/orders" is an alias; detail\.resources\[\]: none$/);
  });

  it('has no diagnostic for operations that name no key (ListAliases)', () => {
    const record = decrypt();
    Object.assign(record, { eventName: 'ListAliases', requestParameters: null, resources: null });

    expect(eventOf(parse(record)).unresolvedKey).toBeUndefined();
  });
});

describe('a ScheduleKeyDeletion that names no key', () => {
  it('is rejected, naming the file, the record and every key field, rather than judged on nothing', () => {
    const schedule = loadSample('awsdocs-kms-developer-guide/ct-schedule-key-deletion-3.json');
    request(schedule).keyId = 'alias/payments';
    schedule.responseElements = null;
    schedule.resources = null;

    const outcome = parse(schedule);
    expect(outcome.kind).toBe('rejected');
    expect(reasonOf(outcome)).toBe('ScheduleKeyDeletion names no key ARN (requestParameters.keyId: "alias/payments" is an alias; resources[]: none)');
    expect(outcome.kind === 'rejected' && outcome.error.message).toMatch(/^trail\.json record 4: ScheduleKeyDeletion names no key ARN/);
  });
});

describe('CloudTrail Insights records', () => {
  it('are skipped as Insights events, not rejected for their missing eventSource', () => {
    // The documented shape of an Insights record (CloudTrail user guide, "Insights events for trails").
    const insight = {
      eventVersion: '1.08',
      eventTime: '2026-11-20T18:00:00Z',
      awsRegion: 'us-east-1',
      eventID: 'ee7c7e50-5a5f-4d1b-9b4f-4e4a8b1c2d3e',
      eventType: 'AwsCloudTrailInsight',
      recipientAccountId: '111122223333',
      sharedEventID: '17f4c1de-2b33-4ea9-9a13-2a3a8a0d1c4b',
      insightDetails: { state: 'Start', eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', insightType: 'ApiCallRateInsight' },
      eventCategory: 'Insight',
    };

    expect(parse(insight)).toEqual({ kind: 'skipped', reason: 'CloudTrail Insights event (Decrypt, Start)', category: 'cloudtrail-insight' });
  });
});
