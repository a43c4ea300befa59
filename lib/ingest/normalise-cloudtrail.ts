/** One CloudTrail record (raw, from a log file, or an EventBridge event's detail) to a KmsEvent. */
import type { KmsEvent } from '../domain/kms-event.js';
import { normaliseCaller } from './caller.js';
import { fastCloudTrailRecord } from './fast-record.js';
import { keyArnAccount } from './key-arn.js';
import { resolveKeyArns, unresolvedKeyReason, type KeyReferences } from './key-arns.js';
import { accepted, rejected, skipped, type ParseOutcome, type RecordOrigin } from './outcome.js';
import { CloudTrailRecordSchema, describeIssues, describeValue, isPlainObject } from './schemas.js';

export const KMS_EVENT_SOURCES: ReadonlySet<string> = new Set(['kms.amazonaws.com', 'cloudhsm.amazonaws.com']);

/** KMS operations that name no key. Every other KMS operation does, and a record of it whose key cannot be resolved is reported. */
const KEYLESS_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateKey',
  'ListKeys',
  'ListAliases',
  'GenerateRandom',
  'ListRetirableGrants',
  'CreateCustomKeyStore',
  'ConnectCustomKeyStore',
  'DisconnectCustomKeyStore',
  'UpdateCustomKeyStore',
  'DeleteCustomKeyStore',
  'DescribeCustomKeyStores',
]);

/** What an EventBridge envelope adds: where the event was delivered, and how to name fields in reasons. */
export interface Envelope {
  readonly region?: string | undefined;
  readonly account?: string | undefined;
  /** "detail." when the record is an EventBridge event's detail. */
  readonly fieldPrefix: string;
}

export const normaliseCloudTrailRecord = (
  input: unknown,
  origin: RecordOrigin,
  envelope: Envelope = { fieldPrefix: '' },
): ParseOutcome => {
  const field = (name: string) => `${envelope.fieldPrefix}${name}`;
  if (!isPlainObject(input)) {
    return rejected(origin, `${field('(record)')}: expected a CloudTrail record (a JSON object), got ${describeValue(input)}`);
  }
  const { eventSource, eventName } = input;
  // CloudTrail Insights records (CloudTrail-Insight/ beside the logs) describe unusual call rates, not calls.
  if (input.eventType === 'AwsCloudTrailInsight') return skipped(`CloudTrail Insights event${insightName(input)}`, 'cloudtrail-insight');
  if (typeof eventSource !== 'string' || eventSource === '') return rejected(origin, `${field('eventSource')}: missing`);
  if (!KMS_EVENT_SOURCES.has(eventSource)) {
    const name = typeof eventName === 'string' ? ` ${eventName}` : '';
    return skipped(`not a KMS or CloudHSM event: ${eventSource}${name}`);
  }
  // The precompiled check first; only a record it does not pass goes through zod, which names the field.
  const fast = fastCloudTrailRecord(input);
  const parsed = fast === undefined ? CloudTrailRecordSchema.safeParse(input) : { success: true as const, data: fast };
  if (!parsed.success) return rejected(origin, describeIssues(parsed.error, envelope.fieldPrefix), parsed.error);
  const record = parsed.data;

  const region = record.awsRegion ?? envelope.region;
  if (region === undefined) return rejected(origin, `${field('awsRegion')}: missing`);
  const identity = record.userIdentity;
  const recipient = record.recipientAccountId ?? envelope.account;
  const references: KeyReferences = {
    eventName: record.eventName,
    region,
    account: recipient ?? identity?.accountId,
    requestParameters: record.requestParameters,
    responseElements: record.responseElements,
    resources: record.resources,
    errorMessage: record.errorCode === undefined ? undefined : record.errorMessage,
  };
  const keyArns = resolveKeyArns(references);
  const namesAKey = record.eventSource === 'kms.amazonaws.com' && !KEYLESS_OPERATIONS.has(record.eventName);
  const unresolvedKey = namesAKey && keyArns.length === 0 ? unresolvedKeyReason(references) : undefined;
  // A scheduling the guard cannot tie to a key cannot be judged: reject it loudly rather than decide on nothing.
  if (unresolvedKey !== undefined && record.eventName === 'ScheduleKeyDeletion' && record.errorCode === undefined) {
    return rejected(origin, `ScheduleKeyDeletion names no key ARN (${prefixed(unresolvedKey, envelope.fieldPrefix)})`);
  }
  const firstKeyAccount = keyArns[0] === undefined ? undefined : keyArnAccount(keyArns[0]);
  const event: KmsEvent = {
    eventId: record.eventID,
    eventTime: record.eventTime,
    eventName: record.eventName,
    eventSource: record.eventSource,
    category: record.eventType === 'AwsServiceEvent' ? 'service-event' : 'api-call',
    region,
    accountId: recipient ?? firstKeyAccount ?? identity?.accountId ?? 'unknown',
    keyArns,
    ...(unresolvedKey === undefined ? {} : { unresolvedKey: prefixed(unresolvedKey, envelope.fieldPrefix) }),
    caller: normaliseCaller(identity, record.requestParameters, region),
    ...(record.errorCode === undefined ? {} : { error: { code: record.errorCode, message: record.errorMessage ?? '' } }),
    requestParameters: record.requestParameters,
    responseElements: record.responseElements,
    additionalEventData: record.additionalEventData,
    ...(record.userAgent === undefined ? {} : { userAgent: record.userAgent }),
    ...(record.sourceIPAddress === undefined ? {} : { sourceIpAddress: record.sourceIPAddress }),
  };
  return accepted(event);
};

const insightName = (input: Record<string, unknown>): string => {
  const details = input.insightDetails;
  if (typeof details !== 'object' || details === null) return '';
  const { eventName, state } = details as Record<string, unknown>;
  return typeof eventName === 'string' ? ` (${eventName}${typeof state === 'string' ? `, ${state}` : ''})` : '';
};

/** Field names in a reason carry the envelope's prefix ("detail.requestParameters.keyId") when there is one. */
const prefixed = (reason: string, fieldPrefix: string): string =>
  fieldPrefix === '' ? reason : reason.replace(/(^|; )(requestParameters|responseElements|resources)/g, `$1${fieldPrefix}$2`);
