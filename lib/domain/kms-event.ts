/**
 * A KMS-relevant event, normalised from any input shape (EventBridge event, raw CloudTrail record,
 * S3 log file, JSON Lines, SQS body). lib/ingest produces it; every use case consumes it.
 */
export interface KmsEvent {
  /** CloudTrail eventID; for KMS service events ("KMS CMK Deletion") the EventBridge event id. */
  readonly eventId: string;
  /** ISO-8601 UTC, normalised with `new Date(...).toISOString()`. */
  readonly eventTime: string;
  /** CloudTrail eventName (Decrypt, ScheduleKeyDeletion…) or the EventBridge detail-type of a service event. */
  readonly eventName: string;
  /** kms.amazonaws.com, or cloudhsm.amazonaws.com for CloudHSM cluster events. */
  readonly eventSource: string;
  readonly category: 'api-call' | 'service-event';
  readonly region: string;
  /** The account that owns the resource (recipientAccountId, else the key ARN's account). */
  readonly accountId: string;
  /**
   * Resolved key ARNs, primary first. ReEncrypt: [source, destination]. Empty when the operation names
   * no key (ListKeys, CreateCustomKeyStore) or the key could not be resolved to an ARN.
   */
  readonly keyArns: readonly string[];
  /**
   * Set when the operation names a key but none of the record's key fields resolves to an ARN (an alias, a
   * placeholder such as "arn:aws:kms:Region:account_ID:key_ID", an empty keyId): which fields held what. Such an
   * event records no use, so it is reported rather than dropped: lost evidence of use could later allow a deletion.
   */
  readonly unresolvedKey?: string;
  readonly caller: Caller;
  /** Present when the call failed (CloudTrail errorCode / errorMessage). */
  readonly error?: CallError;
  /** CloudTrail requestParameters; {} when null. */
  readonly requestParameters: Readonly<Record<string, unknown>>;
  /** CloudTrail responseElements; {} when null. */
  readonly responseElements: Readonly<Record<string, unknown>>;
  /** CloudTrail additionalEventData; {} when absent. */
  readonly additionalEventData: Readonly<Record<string, unknown>>;
  readonly userAgent?: string;
  readonly sourceIpAddress?: string;
}

export interface CallError {
  readonly code: string;
  readonly message: string;
}

/** Who used a key. */
export interface Caller {
  /**
   * The normalised principal: an IAM role ARN (never the assumed-role session), a user ARN, the root ARN,
   * a service principal ("cloudtrail.amazonaws.com") for AWSService identities, or "unknown".
   */
  readonly principal: string;
  /** CloudTrail userIdentity.type (IAMUser, AssumedRole, AWSService, AWSAccount, Root…), or "Unknown". */
  readonly principalType: string;
  /**
   * The AWS service acting for the principal, when one did: "ebs", "s3", "rds", "lambda", "secretsmanager"…,
   * else the invokedBy host without ".amazonaws.com". Absent for direct calls.
   */
  readonly service?: string;
  /** userIdentity.invokedBy as CloudTrail wrote it ("ec2-frontend-api.amazonaws.com", "AWS Internal"), when present. */
  readonly invokedBy?: string;
}

/** A stable id for a caller: the principal, plus " via <service>" when a service acted. */
export const callerId = (caller: Caller): string =>
  caller.service === undefined ? caller.principal : `${caller.principal} via ${caller.service}`;
