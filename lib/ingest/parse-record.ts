/**
 * The ingest boundary: any one input (a CloudTrail record, an EventBridge event, an SQS message carrying one)
 * becomes a KmsEvent, a skip (valid but not KMS) or a rejection that names the source, record and field.
 */
import { CLOUDTRAIL_DETAIL_TYPES, KMS_SERVICE_DETAIL_TYPES } from '../routing.js';
import { normaliseCloudTrailRecord } from './normalise-cloudtrail.js';
import { normaliseServiceEvent } from './normalise-service-event.js';
import { rejected, skipped, type ParseOutcome, type RecordOrigin } from './outcome.js';
import { printable } from './printable.js';
import { describeIssues, describeValue, EventBridgeEnvelopeSchema, isPlainObject } from './schemas.js';

export type { ParseOutcome } from './outcome.js';

const CLOUDTRAIL_DETAIL: ReadonlySet<string> = new Set(CLOUDTRAIL_DETAIL_TYPES);
const KMS_SERVICE_DETAIL: ReadonlySet<string> = new Set(KMS_SERVICE_DETAIL_TYPES);

/**
 * One CloudTrail record, or one EventBridge event (detail-type "AWS API Call via CloudTrail", "AWS Service Event
 * via CloudTrail", or a KMS service event such as "KMS CMK Deletion" / "KMS CMK Rotation" /
 * "KMS Imported Key Material Expiration").
 */
export const parseRecord = (input: unknown, source: string, index: number | undefined, unit?: RecordOrigin['unit']): ParseOutcome => {
  const origin: RecordOrigin = { source, index, ...(unit === undefined ? {} : { unit }) };
  if (isPlainObject(input) && 'detail-type' in input) return parseEventBridgeEvent(input, origin);
  return normaliseCloudTrailRecord(input, origin);
};

/** One SQS message whose body is an EventBridge event, as the SQS-triggered Lambda receives it. */
export const parseSqsMessage = (message: { messageId: string; body: string }): ParseOutcome =>
  parseSqsBody(message.body, `SQS message ${message.messageId}`, undefined);

/** An SQS message body: JSON text of an EventBridge event (or of a bare CloudTrail record). */
export const parseSqsBody = (body: unknown, source: string, index: number | undefined): ParseOutcome => {
  const origin: RecordOrigin = { source, index };
  if (typeof body !== 'string') return rejected(origin, `body: expected a string, got ${describeValue(body)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return rejected(origin, `body: not valid JSON: ${printable((error as Error).message)}`, error);
  }
  return parseRecord(parsed, source, index);
};


const parseEventBridgeEvent = (input: Record<string, unknown>, origin: RecordOrigin): ParseOutcome => {
  const parsed = EventBridgeEnvelopeSchema.safeParse(input);
  if (!parsed.success) return rejected(origin, describeIssues(parsed.error), parsed.error);
  const envelope = parsed.data;
  const detailType = envelope['detail-type'];
  if (CLOUDTRAIL_DETAIL.has(detailType)) {
    // The envelope's own resources[] is empty for CloudTrail events: the keys are in the detail.
    return normaliseCloudTrailRecord(envelope.detail, origin, {
      region: envelope.region,
      account: envelope.account,
      fieldPrefix: 'detail.',
    });
  }
  if (envelope.source === 'aws.kms' && KMS_SERVICE_DETAIL.has(detailType)) return normaliseServiceEvent(input, detailType, origin);
  return skipped(`not a KMS event: EventBridge ${envelope.source} "${detailType}"`);
};
