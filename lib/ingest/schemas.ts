/**
 * What the ingest boundary accepts, as zod schemas. CloudTrail is strict only where the guard depends on a field
 * (eventID, eventTime, eventName, eventSource); descriptive fields of the wrong type are treated as absent.
 */
import * as z from 'zod';
import { toIsoTime } from './event-time.js';

/** An optional string; any other type counts as absent rather than failing the record. */
const optionalString = z.string().optional().catch(undefined);

const requiredString = z
  .string({ error: (issue) => (issue.input === undefined ? 'missing' : `expected a string, got ${describeValue(issue.input)}`) })
  .min(1, 'empty');

const isoTime = requiredString.transform((value, context) => {
  const iso = toIsoTime(value);
  if (iso === undefined) context.addIssue({ code: 'custom', message: `not an ISO-8601 time: ${JSON.stringify(value)}` });
  return iso ?? z.NEVER;
});

/** requestParameters, responseElements, additionalEventData: an object, or null/absent (read as {}). */
const objectOrNull = z.unknown().optional().transform((value, context): Record<string, unknown> => {
  if (value === undefined || value === null) return {};
  if (isPlainObject(value)) return value;
  context.addIssue({ code: 'custom', message: `expected an object or null, got ${describeValue(value)}` });
  return z.NEVER;
});

export const UserIdentitySchema = z.object({
  type: optionalString,
  arn: optionalString,
  accountId: optionalString,
  invokedBy: optionalString,
  sessionContext: z
    .object({ sessionIssuer: z.object({ arn: optionalString }).optional().catch(undefined) })
    .optional()
    .catch(undefined),
});
export type UserIdentity = z.infer<typeof UserIdentitySchema>;

export const CloudTrailRecordSchema = z.object({
  eventID: requiredString,
  eventTime: isoTime,
  eventName: requiredString,
  eventSource: requiredString,
  awsRegion: optionalString,
  eventType: optionalString,
  recipientAccountId: optionalString,
  errorCode: optionalString,
  errorMessage: optionalString,
  userAgent: optionalString,
  sourceIPAddress: optionalString,
  userIdentity: UserIdentitySchema.optional().catch(undefined),
  requestParameters: objectOrNull,
  responseElements: objectOrNull,
  additionalEventData: objectOrNull,
  /** Kept raw: null, missing, or entries using "ARN" or "arn" all occur. */
  resources: z.unknown().optional(),
});
export type CloudTrailRecord = z.infer<typeof CloudTrailRecordSchema>;

/** Any EventBridge event; `detail` is read according to the detail-type. */
export const EventBridgeEnvelopeSchema = z.object({
  'detail-type': requiredString,
  source: requiredString,
  account: optionalString,
  region: optionalString,
  detail: z.unknown(),
});

/** "KMS CMK Deletion", "KMS CMK Rotation", "KMS Imported Key Material Expiration": {"key-id": …} and the envelope. */
export const KmsServiceEventSchema = z.object({
  id: requiredString,
  time: isoTime,
  account: requiredString,
  region: requiredString,
  resources: z.array(z.unknown()).optional().catch(undefined),
  detail: z.record(z.string(), z.unknown(), { error: 'expected an object' }),
});

/** One reason for all of a schema's complaints, each naming its field. */
export const describeIssues = (error: z.ZodError, fieldPrefix = ''): string =>
  error.issues
    .map((issue) => `${fieldPrefix}${issue.path.map(String).join('.') || '(record)'}: ${issue.message}`)
    .join('; ');

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const describeValue = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 60 ? `${text.slice(0, 60)}…` : text}`;
};
