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
    event.unresolvedKey === undefined ? {} : { unresolvedKey: event.unresolvedKey },
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

/** Stands for a key the event does not let the guard resolve; parentheses never occur in a real key ARN. */
export const UNRESOLVED_KEY_ID = '(unresolved)';

/**
 * The key a key-level event concerns: the resolved ARN, else a placeholder in the event's account and Region that
 * no real key can have. The alert still goes out (a lockout must be heard), with the fields the caller typed in
 * its evidence (`unresolvedKey`).
 */
export const subjectKeyArn = (event: KmsEvent): string =>
  // ReplicateKey names [primary, replica]; its policy and bypass flag are the replica's.
  (event.eventName === 'ReplicateKey' ? (event.keyArns[1] ?? event.keyArns[0]) : event.keyArns[0]) ??
  `arn:aws:kms:${event.region}:${event.accountId}:key/${UNRESOLVED_KEY_ID}`;
