/**
 * KMS service events ("KMS CMK Deletion", "KMS CMK Rotation", "KMS Imported Key Material Expiration"): not
 * CloudTrail records, just {"key-id": …} in an EventBridge envelope. The envelope supplies id, time and place.
 */
import type { KmsEvent } from '../domain/kms-event.js';
import { buildKeyArn, isBareKeyId, isKeyArn } from './key-arn.js';
import { accepted, rejected, type ParseOutcome, type RecordOrigin } from './outcome.js';
import { describeIssues, KmsServiceEventSchema } from './schemas.js';

/** KMS itself acts in these events. */
const KMS_SERVICE = { principal: 'kms.amazonaws.com', principalType: 'AWSService', service: 'kms' } as const;

export const normaliseServiceEvent = (input: unknown, detailType: string, origin: RecordOrigin): ParseOutcome => {
  const parsed = KmsServiceEventSchema.safeParse(input);
  if (!parsed.success) return rejected(origin, describeIssues(parsed.error), parsed.error);
  const envelope = parsed.data;
  const keyId = envelope.detail['key-id'];
  const fromResources = (envelope.resources ?? []).filter(isKeyArn);
  const keyArns = fromResources.length > 0 ? fromResources : keyFromId(keyId, envelope.region, envelope.account);
  if (keyArns.length === 0) return rejected(origin, 'detail.key-id: missing, and resources[] names no key');
  const event: KmsEvent = {
    eventId: envelope.id,
    eventTime: envelope.time,
    eventName: detailType,
    eventSource: 'kms.amazonaws.com',
    category: 'service-event',
    region: envelope.region,
    accountId: envelope.account,
    keyArns: [...new Set(keyArns)],
    caller: KMS_SERVICE,
    requestParameters: {},
    responseElements: {},
    // The detail is all the event says; kept for consumers that want more than the key.
    additionalEventData: envelope.detail,
  };
  return accepted(event);
};

const keyFromId = (keyId: unknown, region: string, account: string): string[] => {
  if (isKeyArn(keyId)) return [keyId];
  if (isBareKeyId(keyId)) return [buildKeyArn(region, account, keyId)];
  return [];
};

