/**
 * Raw CloudTrail records and log files as CloudTrail writes them to S3 ({"Records":[…]}, gzipped, under
 * AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/), for backfill tests and the bench.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export const TRAIL_ACCOUNT = '111122223333';
export const TRAIL_REGION = 'us-east-1';

const uuid = (label: string): string => {
  const hex = createHash('sha256').update(label).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

export const trailKeyArn = (name: string, account = TRAIL_ACCOUNT, region = TRAIL_REGION): string =>
  `arn:aws:kms:${region}:${account}:key/${uuid(`key/${name}`)}`;

export interface RecordOptions {
  readonly account?: string;
  readonly region?: string;
  readonly role?: string;
  readonly requestParameters?: Record<string, unknown>;
  readonly responseElements?: Record<string, unknown> | null;
  readonly error?: { code: string; message: string };
}

/** A KMS API call on `keyArn` at `at`, with an eventID derived from `label`. */
export const kmsRecord = (eventName: string, keyArn: string, at: string, label: string, options: RecordOptions = {}): Record<string, unknown> => {
  const account = options.account ?? TRAIL_ACCOUNT;
  const region = options.region ?? TRAIL_REGION;
  const role = options.role ?? 'app';
  return {
    eventVersion: '1.11',
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROAEXAMPLE:${role}`,
      arn: `arn:aws:sts::${account}:assumed-role/${role}/session`,
      accountId: account,
      sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${account}:role/${role}`, accountId: account, userName: role } },
    },
    eventTime: at,
    eventSource: 'kms.amazonaws.com',
    eventName,
    awsRegion: region,
    sourceIPAddress: '192.0.2.10',
    userAgent: 'aws-sdk-java/2.20',
    ...(options.error === undefined ? {} : { errorCode: options.error.code, errorMessage: options.error.message }),
    requestParameters: options.requestParameters ?? { keyId: keyArn, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
    responseElements: options.responseElements ?? null,
    requestID: uuid(`request/${label}`),
    eventID: uuid(`event/${label}`),
    readOnly: eventName === 'Decrypt' || eventName === 'Encrypt' || eventName.startsWith('GenerateDataKey'),
    resources: [{ accountId: account, type: 'AWS::KMS::Key', ARN: keyArn }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
  };
};

/** A non-KMS record, as most of a trail is. */
export const s3Record = (at: string, label: string): Record<string, unknown> => ({
  eventVersion: '1.11',
  eventTime: at,
  eventSource: 's3.amazonaws.com',
  eventName: 'GetBucketAcl',
  awsRegion: TRAIL_REGION,
  eventID: uuid(`event/${label}`),
  eventType: 'AwsApiCall',
  recipientAccountId: TRAIL_ACCOUNT,
});

/** Where CloudTrail delivers a log file at `deliveredAt` (YYYY-MM-DDTHH:MM). */
export const logFileKey = (deliveredAt: string, suffix: string, account = TRAIL_ACCOUNT, region = TRAIL_REGION, prefix = ''): string => {
  const [date = '', time = ''] = deliveredAt.split('T');
  const [year, month, day] = date.split('-');
  const stamp = `${date.replace(/-/g, '')}T${time.replace(':', '').slice(0, 4)}Z`;
  return `${prefix}AWSLogs/${account}/CloudTrail/${region}/${year}/${month}/${day}/${account}_CloudTrail_${region}_${stamp}_${suffix}.json.gz`;
};

export const logFile = (records: readonly unknown[]): Buffer => gzipSync(JSON.stringify({ Records: records }));

export const digestFile = (account = TRAIL_ACCOUNT, region = TRAIL_REGION): { key: string; body: Buffer } => ({
  key: `AWSLogs/${account}/CloudTrail-Digest/${region}/2026/05/02/${account}_CloudTrail-Digest_${region}_org-trail_${region}_20260502T010000Z.json.gz`,
  body: gzipSync(JSON.stringify({ awsAccountId: account, digestStartTime: '2026-05-02T00:00:00Z', digestEndTime: '2026-05-02T01:00:00Z', logFiles: [] })),
});

export const insightsFile = (account = TRAIL_ACCOUNT, region = TRAIL_REGION): { key: string; body: Buffer } => ({
  key: `AWSLogs/${account}/CloudTrail-Insight/${region}/2026/05/02/${account}_CloudTrail-Insight_${region}_20260502T0100Z_abc.json.gz`,
  body: logFile([{ eventVersion: '1.07', eventTime: '2026-05-02T00:00:00Z', eventID: uuid('insight'), eventType: 'AwsCloudTrailInsight', insightDetails: { eventName: 'Decrypt', state: 'Start' } }]),
});
