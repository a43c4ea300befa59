/**
 * The hot path of CloudTrailRecordSchema: the same checks, written out, for the records that pass them (nearly
 * all). It answers undefined whenever anything is off, and the zod schema then parses the record again and names
 * the field in its reason, so the slow path keeps the clear error and the fast path never decides a rejection.
 * What it returns is what the schema returns (optional fields of the wrong type read as absent).
 */
import { toIsoTime } from './event-time.js';
import type { CloudTrailRecord, UserIdentity } from './schemas.js';
import { isPlainObject } from './schemas.js';

const optionalString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const requiredString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** null or absent → {}; an object as it is; anything else → undefined (the schema's error). */
const objectOrNull = (value: unknown): Record<string, unknown> | undefined =>
  value === undefined || value === null ? {} : isPlainObject(value) ? value : undefined;

const userIdentity = (value: unknown): UserIdentity | undefined => {
  if (!isPlainObject(value)) return undefined;
  const context = value.sessionContext;
  const issuer = isPlainObject(context) ? context.sessionIssuer : undefined;
  return {
    type: optionalString(value.type),
    arn: optionalString(value.arn),
    accountId: optionalString(value.accountId),
    invokedBy: optionalString(value.invokedBy),
    sessionContext: isPlainObject(context) ? { sessionIssuer: isPlainObject(issuer) ? { arn: optionalString(issuer.arn) } : undefined } : undefined,
  };
};

export const fastCloudTrailRecord = (input: Record<string, unknown>): CloudTrailRecord | undefined => {
  const { eventID, eventTime, eventName, eventSource } = input;
  if (!requiredString(eventID) || !requiredString(eventTime) || !requiredString(eventName) || !requiredString(eventSource)) return undefined;
  const time = toIsoTime(eventTime);
  const requestParameters = objectOrNull(input.requestParameters);
  const responseElements = objectOrNull(input.responseElements);
  const additionalEventData = objectOrNull(input.additionalEventData);
  if (time === undefined || requestParameters === undefined || responseElements === undefined || additionalEventData === undefined) return undefined;
  return {
    eventID,
    eventTime: time,
    eventName,
    eventSource,
    awsRegion: optionalString(input.awsRegion),
    eventType: optionalString(input.eventType),
    recipientAccountId: optionalString(input.recipientAccountId),
    errorCode: optionalString(input.errorCode),
    errorMessage: optionalString(input.errorMessage),
    userAgent: optionalString(input.userAgent),
    sourceIPAddress: optionalString(input.sourceIPAddress),
    userIdentity: userIdentity(input.userIdentity),
    requestParameters,
    responseElements,
    additionalEventData,
    resources: input.resources,
  };
};
