/**
 * The world of the grantee-form tests: every grantee form AWS produces, how the grantee's (and a stranger's) calls
 * look in the key owner's trail, and the key's usage summary built from such records as the store builds it.
 */
import { DEFAULT_POLICY } from '../../../lib/config.js';
import { evaluateGrant, type GrantVerdict } from '../../../lib/domain/grants/evaluate-grant.js';
import { GRANT_OPERATION_TRACES } from '../../../lib/domain/grants/grant-operations.js';
import type { KmsEvent } from '../../../lib/domain/kms-event.js';
import type { GrantRecord, KeyUsageSummary } from '../../../lib/domain/model.js';
import { applyNonUseCall, listNonUseCalls, type NonUseCallRecord } from '../../../lib/domain/non-use-calls.js';
import { foldUsage, mergeUsage, type UsageDay } from '../../../lib/domain/usage.js';
import { summarizeUsage } from '../../../lib/domain/usage-summary.js';
import { parseRecord } from '../../../lib/ingest/parse-record.js';

export const DAY_MS = 86_400_000;
export const NOW = new Date('2026-06-01T12:00:00.000Z');
export const daysAgo = (days: number): string => new Date(NOW.getTime() - days * DAY_MS).toISOString();
export const ACCOUNT = '111122223333';
export const PARTNER = '444455556666';
export const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0987dcba-09fe-87dc-65ba-ab0987654321`;

/** userIdentity blocks as the key owner's trail records them. */
const session = (account: string, role: string, name: string, path = '') => ({
  type: 'AssumedRole',
  principalId: `AROAEXAMPLE${role.length}:${name}`,
  arn: `arn:aws:sts::${account}:assumed-role/${role}/${name}`,
  accountId: account,
  sessionContext: { sessionIssuer: { type: 'Role', principalId: `AROAEXAMPLE${role.length}`, arn: `arn:aws:iam::${account}:role/${path}${role}`, accountId: account, userName: role } },
});
const iamUser = (name: string) => ({ type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, accountId: ACCOUNT, userName: name });
/** Another account's caller: no ARN, only its account (CloudTrail userIdentity type AWSAccount). */
const otherAccount = (account: string) => ({ type: 'AWSAccount', principalId: `AROAPARTNER:${account}-worker`, accountId: account });
const awsService = (host: string) => ({ type: 'AWSService', invokedBy: host });
const ec2Infrastructure = (instance: string) => ({
  type: 'AssumedRole',
  principalId: `${ACCOUNT}:aws:ec2-infrastructure:${instance}`,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/aws:ec2-infrastructure/${instance}`,
  accountId: ACCOUNT,
  sessionContext: { sessionIssuer: { type: 'Role', principalId: `${ACCOUNT}:aws:ec2-infrastructure`, arn: `arn:aws:iam::${ACCOUNT}:role/aws:ec2-infrastructure`, accountId: ACCOUNT, userName: 'aws:ec2-infrastructure' } },
  invokedBy: 'AWS Internal',
});

export interface GranteeForm {
  readonly form: string;
  readonly granteePrincipal: string;
  /** How the grantee's own calls look. */
  readonly grantee: Record<string, unknown>;
  /** A caller that is not the grantee (for an account grant: a principal of another account). */
  readonly stranger: Record<string, unknown>;
  readonly awsService: boolean;
}

export const FORMS: readonly GranteeForm[] = [
  { form: 'account root', granteePrincipal: `arn:aws:iam::${ACCOUNT}:root`, grantee: session(ACCOUNT, 'any-app', 'run-1'), stranger: otherAccount(PARTNER), awsService: false },
  { form: 'IAM role (with a path)', granteePrincipal: `arn:aws:iam::${ACCOUNT}:role/team/app`, grantee: session(ACCOUNT, 'app', 'run-1', 'team/'), stranger: session(ACCOUNT, 'other', 'run-1'), awsService: false },
  { form: 'assumed-role session', granteePrincipal: `arn:aws:sts::${ACCOUNT}:assumed-role/app/worker-1`, grantee: session(ACCOUNT, 'app', 'worker-2'), stranger: session(ACCOUNT, 'other', 'worker-1'), awsService: false },
  { form: 'IAM user', granteePrincipal: `arn:aws:iam::${ACCOUNT}:user/alice`, grantee: iamUser('alice'), stranger: iamUser('bob'), awsService: false },
  { form: 'service principal', granteePrincipal: 'dynamodb.us-east-1.amazonaws.com', grantee: awsService('dynamodb.amazonaws.com'), stranger: session(ACCOUNT, 'other', 'run-1'), awsService: true },
  {
    form: 'service-linked role',
    granteePrincipal: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    grantee: { ...session(ACCOUNT, 'AWSServiceRoleForAutoScaling', 'AutoScaling', 'aws-service-role/autoscaling.amazonaws.com/'), invokedBy: 'autoscaling.amazonaws.com' },
    stranger: session(ACCOUNT, 'other', 'run-1'),
    awsService: true,
  },
  { form: "another account's role, seen as AWSAccount", granteePrincipal: `arn:aws:iam::${PARTNER}:role/partner-app`, grantee: otherAccount(PARTNER), stranger: otherAccount('777788889999'), awsService: false },
  { form: 'aws:ec2-infrastructure session', granteePrincipal: `arn:aws:sts::${ACCOUNT}:assumed-role/aws:ec2-infrastructure/i-0c9d812c0cfa2790f`, grantee: ec2Infrastructure('i-0c9d812c0cfa2790f'), stranger: session(ACCOUNT, 'other', 'run-1'), awsService: true },
];

/** A successful call exercising `operation` on KEY, as CloudTrail records it. */
export const callRecord = (operation: string, userIdentity: Record<string, unknown>, at: string, index: number): Record<string, unknown> => {
  const trace = GRANT_OPERATION_TRACES[operation];
  const eventName = trace?.eventName ?? operation;
  // ReEncryptFrom: KEY is the source; ReEncryptTo: KEY is the destination.
  const resources = eventName !== 'ReEncrypt' ? [KEY] : operation === 'ReEncryptTo' ? [OTHER_KEY, KEY] : [KEY, OTHER_KEY];
  const requestParameters: Record<string, unknown> =
    eventName === 'ReEncrypt'
      ? { destinationKeyId: resources[1], sourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }
      : eventName === 'RetireGrant'
        ? { keyId: KEY, grantId: 'b'.repeat(64) }
        : eventName === 'CreateGrant'
          ? { keyId: KEY, granteePrincipal: `arn:aws:iam::${ACCOUNT}:role/delegate`, operations: ['Decrypt'] }
          : { keyId: KEY };
  return {
    eventVersion: '1.11',
    userIdentity,
    eventTime: at,
    eventSource: 'kms.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '10.0.0.1',
    userAgent: 'aws-sdk-js/3',
    requestParameters,
    responseElements: eventName === 'CreateGrant' ? { grantId: `${index}`.padStart(64, 'c'), keyId: KEY } : null,
    eventID: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    readOnly: !['CreateGrant', 'RetireGrant'].includes(eventName),
    resources: resources.map((arn) => ({ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: arn })),
    eventType: 'AwsApiCall',
    recipientAccountId: ACCOUNT,
  };
};

/** The key's usage summary as the store would give it (usage buckets, plus the non-use record). */
export const usageOf = (records: readonly Record<string, unknown>[]): KeyUsageSummary => {
  const events: KmsEvent[] = records.map((record, index) => {
    const outcome = parseRecord(record, 'grantee-forms', index);
    if (outcome.kind !== 'event') throw new Error(`record ${index} not accepted: ${JSON.stringify(outcome)}`);
    return outcome.event;
  });
  const buckets = new Map<string, UsageDay>();
  for (const delta of foldUsage(events)) {
    if (delta.keyArn !== KEY) continue;
    buckets.set(delta.day, mergeUsage(buckets.get(delta.day), delta).day);
  }
  const nonUse = events.reduce<NonUseCallRecord | undefined>((record, event) => applyNonUseCall(record, KEY, event), undefined);
  const summary = summarizeUsage(KEY, [...buckets.values()]);
  const nonUseCalls = listNonUseCalls(nonUse);
  return nonUseCalls.length === 0 ? summary : { ...summary, nonUseCalls };
};

export const grantOf = (form: GranteeForm, operation: string): GrantRecord => ({
  grantId: 'a'.repeat(64),
  keyArn: KEY,
  granteePrincipal: form.granteePrincipal,
  operations: [operation],
  createdAt: daysAgo(200),
  createdBy: `arn:aws:iam::${ACCOUNT}:role/Admin`,
  createEventId: '00000000-0000-4000-8000-00000000cafe',
  status: 'active',
  source: 'cloudtrail',
});

export const verdictOf = (form: GranteeForm, operation: string, records: readonly Record<string, unknown>[]): GrantVerdict['kind'] =>
  evaluateGrant(grantOf(form, operation), { key: { keyManager: 'CUSTOMER', aliases: [], tags: {}, keyState: 'Enabled' }, usage: usageOf(records), policy: DEFAULT_POLICY }, NOW).kind;

