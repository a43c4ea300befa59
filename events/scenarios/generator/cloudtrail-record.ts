/** One CloudTrail record, with its fields in the order CloudTrail writes them. */
import type { Actor } from './identities.js';
import { uuidFor } from './ids.js';

export type CloudTrailRecord = Record<string, unknown>;

export interface ResourceRef {
  /** Absent on S3 object resources. */
  readonly accountId?: string;
  readonly type: string;
  readonly ARN: string;
}

export interface ApiCall {
  /** Unique label of this call; its eventID and requestID are derived from it. */
  readonly label: string;
  readonly at: string;
  readonly actor: Actor;
  readonly account: string;
  readonly region: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly requestParameters: Record<string, unknown> | null;
  readonly responseElements: Record<string, unknown> | null;
  readonly additionalEventData?: Record<string, unknown>;
  /** Absent: no resources field at all (CloudHSM, STS by services…). */
  readonly resources?: readonly ResourceRef[];
  readonly readOnly: boolean;
  readonly error?: { readonly code: string; readonly message: string };
  readonly eventCategory?: 'Management' | 'Data';
  readonly sharedEventID?: string;
}

export const eventIdFor = (label: string): string => uuidFor(`event/${label}`);

export const apiCall = (call: ApiCall): CloudTrailRecord => ({
  eventVersion: '1.11',
  userIdentity: call.actor.userIdentity,
  eventTime: call.at,
  eventSource: call.eventSource,
  eventName: call.eventName,
  awsRegion: call.region,
  sourceIPAddress: call.actor.sourceIPAddress,
  userAgent: call.actor.userAgent,
  ...(call.error === undefined ? {} : { errorCode: call.error.code, errorMessage: call.error.message }),
  requestParameters: call.requestParameters,
  responseElements: call.responseElements,
  ...(call.additionalEventData === undefined ? {} : { additionalEventData: call.additionalEventData }),
  requestID: uuidFor(`request/${call.label}`),
  eventID: eventIdFor(call.label),
  readOnly: call.readOnly,
  ...(call.resources === undefined ? {} : { resources: call.resources }),
  eventType: 'AwsApiCall',
  managementEvent: (call.eventCategory ?? 'Management') === 'Management',
  recipientAccountId: call.account,
  ...(call.sharedEventID === undefined ? {} : { sharedEventID: call.sharedEventID }),
  ...(call.actor.userIdentity.invokedBy === 'ec2-frontend-api.amazonaws.com'
    ? { vpcEndpointId: 'AWS Internal', vpcEndpointAccountId: 'AWS Internal' }
    : {}),
  eventCategory: call.eventCategory ?? 'Management',
  ...call.actor.extra,
});
