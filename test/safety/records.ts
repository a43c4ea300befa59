/**
 * CloudTrail records for the safety model, in the shape the real ingest parses (the fields of the KMS developer
 * guide's samples), with deterministic ids so a shrunk command sequence replays the same.
 */
import { scheduleRecord } from '../domain/deletion/kms-events.js';

export type CloudTrailRecord = Record<string, unknown>;

export type RecordCaller = { readonly kind: 'person' } | { readonly kind: 'role'; readonly role: string; readonly service?: string };

/** A person at the console (an IAM user: never exempt). */
export const PERSON: RecordCaller = { kind: 'person' };
/** The guard's own role: its DescribeKey calls come back through the usage rule as read-only events. */
export const GUARD: RecordCaller = { kind: 'role', role: 'kms-guard-deletion-guard' };

/** Deterministic version-4-shaped ids: `<prefix>-<counter>`. */
export class Ids {
  private next = 0;
  constructor(private readonly prefix: number) {}
  id(): string {
    this.next += 1;
    return `${String(this.prefix).padStart(8, '0')}-0000-4000-8000-${this.next.toString(16).padStart(12, '0')}`;
  }
}

const cloudTrailTime = (at: Date): string => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

const identity = (caller: RecordCaller, account: string): Record<string, unknown> => {
  if (caller.kind === 'person') {
    return { type: 'IAMUser', principalId: 'AIDAPERSON', arn: `arn:aws:iam::${account}:user/alice`, accountId: account, userName: 'alice' };
  }
  const roleArn = `arn:aws:iam::${account}:role/${caller.role}`;
  return {
    type: 'AssumedRole',
    principalId: `AROAROLE:${caller.role}-session`,
    arn: `arn:aws:sts::${account}:assumed-role/${caller.role}/${caller.role}-session`,
    accountId: account,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: 'AROAROLE', arn: roleArn, accountId: account, userName: caller.role },
      attributes: { creationDate: '2026-01-01T00:00:00Z', mfaAuthenticated: 'false' },
    },
    ...(caller.service === undefined ? {} : { invokedBy: caller.service }),
  };
};

export interface RecordOptions {
  readonly caller?: RecordCaller;
  readonly error?: { readonly code: string; readonly message: string };
  readonly readOnly?: boolean;
  readonly requestParameters?: Record<string, unknown>;
}

/** Any KMS call on `keyArn`, as CloudTrail records it. */
export const kmsRecord = (ids: Ids, eventName: string, keyArn: string, at: Date, options: RecordOptions = {}): CloudTrailRecord => {
  const [, , , region = '', account = ''] = keyArn.split(':');
  return {
    eventVersion: '1.08',
    userIdentity: identity(options.caller ?? PERSON, account),
    eventTime: cloudTrailTime(at),
    eventSource: 'kms.amazonaws.com',
    eventName,
    awsRegion: region,
    sourceIPAddress: '192.0.2.10',
    userAgent: 'aws-cli/2.22.0',
    ...(options.error === undefined ? {} : { errorCode: options.error.code, errorMessage: options.error.message }),
    requestParameters: { keyId: keyArn, ...options.requestParameters },
    responseElements: options.error === undefined && !(options.readOnly ?? false) ? { keyId: keyArn } : null,
    requestID: ids.id(),
    eventID: ids.id(),
    readOnly: options.readOnly ?? false,
    resources: [{ accountId: account, type: 'AWS::KMS::Key', ARN: keyArn }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
  };
};

/** The real ScheduleKeyDeletion capture, re-pointed at the key, made by the person at `at` with a 7-day window. */
export const scheduleKeyDeletionRecord = (ids: Ids, keyArn: string, at: Date): CloudTrailRecord =>
  scheduleRecord(keyArn, ids.id(), at, { windowDays: 7 });

/** The EventBridge event that carries a CloudTrail record. */
export const eventBridgeEvent = (ids: Ids, record: CloudTrailRecord): Record<string, unknown> => ({
  version: '0',
  id: ids.id(),
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.kms',
  account: String(record.recipientAccountId),
  time: String(record.eventTime),
  region: String(record.awsRegion),
  resources: [],
  detail: record,
});
