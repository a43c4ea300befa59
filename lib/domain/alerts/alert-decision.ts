/** Findings become one `alert` Decision: reasons in rule order, the evidence of every finding merged. */
import { callerId, type KmsEvent } from '../kms-event.js';
import type { Decision } from '../model.js';
import type { Finding } from './rule-result.js';

export interface AlertInput {
  readonly decisionId: string;
  readonly keyArn: string;
  readonly event: KmsEvent;
  readonly findings: readonly Finding[];
  readonly decidedAt: string;
  readonly dryRun: boolean;
  /** Facts about the subject rather than a rule (aliases…). */
  readonly context?: Readonly<Record<string, unknown>>;
}

export const alertDecision = ({ decisionId, keyArn, event, findings, decidedAt, dryRun, context }: AlertInput): Decision => ({
  decisionId,
  action: 'alert',
  keyArn,
  reasons: findings.map((finding) => finding.reason),
  evidence: Object.assign(
    { eventName: event.eventName, eventTime: event.eventTime },
    context,
    ...findings.map((finding) => finding.evidence),
  ),
  eventId: event.eventId,
  decidedAt,
  actor: callerId(event.caller),
  accountId: event.accountId,
  region: event.region,
  dryRun,
});

/**
 * The key a key-level event concerns: the resolved ARN, else one built from requestParameters.keyId so the
 * alert still names what the caller typed.
 */
export const subjectKeyArn = (event: KmsEvent): string => {
  const resolved = event.keyArns[0];
  if (resolved !== undefined) return resolved;
  const keyId = event.requestParameters.keyId;
  if (typeof keyId === 'string' && keyId.startsWith('arn:')) return keyId;
  return `arn:aws:kms:${event.region}:${event.accountId}:key/${typeof keyId === 'string' && keyId !== '' ? keyId : 'unknown'}`;
};
