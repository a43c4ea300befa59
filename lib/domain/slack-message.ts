/**
 * The Slack message for a decision: pure Block Kit, built from the Decision alone. Every value that came
 * from an event goes through `mrkdwn`/`code` (slack-message-text.ts); only text we wrote is left as is.
 */
import type { Decision } from './model.js';
import { SLACK_LIMITS, code, joinWithin, link, mrkdwn, plain, truncate } from './slack-message-text.js';

export type Severity = 'critical' | 'high' | 'medium' | 'info';

export interface SlackText {
  readonly type: 'mrkdwn' | 'plain_text';
  readonly text: string;
}
export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text?: SlackText; readonly fields?: readonly SlackText[] }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] }
  | { readonly type: 'divider' };

export interface SlackMessage {
  /** Notification and fallback text (mrkdwn, escaped). */
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

/** What each reason means, for people. Unknown reasons are shown by their code. */
export const REASON_TEXT: Readonly<Record<string, string>> = {
  'policy-lockout': 'No statement still lets the account administer the key through IAM: the key may become unmanageable.',
  'lockout-check-bypassed': 'The policy lockout safety check was bypassed.',
  'public-key-policy': 'A statement allows Principal "*" with no condition: anyone may use the key.',
  'policy-unreadable': 'The key policy in the event could not be read.',
  'disabled-in-use': 'The key was disabled although workloads used it recently.',
  'use-while-disabled': 'Workloads are failing because the key is disabled.',
  'custom-key-store': 'A change to an HSM-backed custom key store can make its keys unusable.',
  'recent-use': 'The key had successful cryptographic use within the recent-use window.',
  'use-while-pending-deletion': 'Calls failed because the key is pending deletion: a workload depends on it.',
  'public-key-exported': 'The public key was exported: it may be used outside KMS, where CloudTrail cannot see it.',
  'exempt-principal': 'The deletion was made by an exempt principal.',
  'exempt-tag': 'The key is tagged kms-guard:allow-deletion=true.',
  'aws-service-grant': 'An AWS service (EBS, RDS, Lambda…) holds an active grant on the key: a workload depends on it.',
  'disabled-without-failures': 'The key was disabled for the whole observation period and no call failed: the recommended way to retire a key.',
  'old-use': 'The key was used, but not within the recent-use window.',
  'no-recorded-use': 'No use was recorded in a full recent-use window of watching.',
  'insufficient-history': 'The key has not been watched for a full recent-use window: too little evidence to allow its deletion.',
  'usage-events-unverified':
    'No read-only KMS event has reached the guard recently for this account and Region: no recorded use proves nothing, so the deletion is not allowed. Check the trail and the usage rule.',
  'evidence-unavailable':
    'The guard could not read all its evidence (see gaps): it cancelled the deletion (fail closed) and left the key Disabled. Fix the cause, then schedule again if the deletion was meant.',
  'decision-store-unavailable':
    'The guard could not record its decision: it cancelled the deletion (fail closed), left the key Disabled, and will retry.',
  'no-evidence': 'Neither the guard nor KMS knows anything about this key.',
  'pending-replica-deletion': 'A multi-Region primary key: KMS deletes it only after its replicas.',
  'prior-state-unknown': 'The state before the scheduling is unknown: the key is left Disabled after the cancellation.',
  'cancel-failed': 'The guard could not cancel the deletion: act now, the event is retried and then dead-lettered.',
  'deletion-reminder-7d': 'The key will be deleted within 7 days.',
  'deletion-reminder-1d': 'The key will be deleted within a day.',
  'stale-grant': 'The grant is older than the maximum grant age and shows no recent use.',
  'grant-ttl-expired': 'The grant asked for a shorter life in its name (kms-guard:ttl:<N>d) and has outlived it.',
  'hsm-count-below-two': 'The CloudHSM cluster behind the key store has fewer than the two active HSMs KMS requires.',
};

const CRITICAL_REASONS = new Set(['policy-lockout', 'use-while-disabled', 'hsm-count-below-two']);
/** The guard acted without its full evidence or without a record: whatever the action, someone must look now. */
const FAIL_CLOSED_REASONS = new Set(['evidence-unavailable', 'decision-store-unavailable']);
const HIGH_REASONS = new Set(['public-key-policy', 'lockout-check-bypassed', 'disabled-in-use', 'custom-key-store']);

export const severityOf = (decision: Decision): Severity => {
  if (decision.outcome?.some((call) => call.result === 'failed')) return 'critical';
  if (decision.reasons.some((reason) => FAIL_CLOSED_REASONS.has(reason))) return 'critical';
  if (decision.action === 'cancel-deletion') return 'high';
  if (decision.action !== 'alert') return 'info';
  if (decision.reasons.some((reason) => CRITICAL_REASONS.has(reason))) return 'critical';
  if (decision.reasons.some((reason) => HIGH_REASONS.has(reason))) return 'high';
  return 'medium';
};

const SEVERITY_EMOJI: Record<Severity, string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  info: ':large_blue_circle:',
};

export const titleOf = (decision: Decision): string => {
  const prefix = decision.dryRun ? '[dry run] ' : '';
  switch (decision.action) {
    case 'cancel-deletion':
      return `${prefix}${decision.dryRun ? 'Would cancel' : 'Cancelled'} a KMS key deletion`;
    case 'allow-deletion':
      return `${prefix}KMS key deletion allowed to proceed`;
    case 'revoke-grant':
      return `${prefix}${decision.dryRun ? 'Would revoke' : 'Revoked'} a stale KMS grant`;
    case 'alert':
      return `${prefix}KMS alert: ${decision.reasons[0] ?? 'unspecified'}`;
  }
};

export const kmsConsoleUrl = (region: string, keyArn: string): string | undefined => {
  const keyId = /:key\/(.+)$/.exec(keyArn)?.[1];
  if (keyId === undefined || !/^[A-Za-z0-9-]+$/.test(keyId) || !/^[a-z0-9-]+$/.test(region)) return undefined;
  return `https://${region}.console.aws.amazon.com/kms/home?region=${region}#/kms/keys/${keyId}`;
};

export const cloudTrailEventUrl = (region: string, eventId: string): string | undefined => {
  if (!/^[a-z0-9-]+$/.test(region) || eventId.startsWith('sweep:')) return undefined;
  return `https://${region}.console.aws.amazon.com/cloudtrail/home?region=${region}#/events?EventId=${encodeURIComponent(eventId)}`;
};

export const buildSlackMessage = (decision: Decision): SlackMessage => {
  const severity = severityOf(decision);
  const title = titleOf(decision);
  const aliases = aliasesOf(decision.evidence);
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: plain(`${severity.toUpperCase()}: ${title}`, SLACK_LIMITS.headerText) } },
    { type: 'section', fields: summaryFields(decision, severity, aliases) },
    section(['*Reasons*', ...decision.reasons.map((reason) => `• ${code(reason, 80)}${REASON_TEXT[reason] === undefined ? '' : ` ${mrkdwn(REASON_TEXT[reason], 300)}`}`)]),
  ];
  const evidence = evidenceLines(decision.evidence);
  if (evidence.length > 0) blocks.push(section(['*Evidence*', ...evidence]));
  if (decision.outcome !== undefined && decision.outcome.length > 0) {
    blocks.push(section(['*What the guard did*', ...decision.outcome.map(
      (call) => `• ${code(call.call, 80)} → *${mrkdwn(call.result, 20)}*${call.detail === undefined ? '' : ` ${mrkdwn(call.detail)}`}`,
    )]));
  }
  const links = [kmsConsoleUrl(decision.region, decision.keyArn), cloudTrailEventUrl(decision.region, decision.eventId)];
  const linkLine = [
    links[0] === undefined ? undefined : link(links[0], 'Key in the KMS console'),
    links[1] === undefined ? undefined : link(links[1], 'Event in CloudTrail'),
  ].filter((item): item is string => item !== undefined);
  if (linkLine.length > 0) blocks.push(section([linkLine.join('  |  ')]));
  blocks.push({
    type: 'context',
    elements: [{
      type: 'mrkdwn',
      text: truncate(`decision ${code(decision.decisionId, 300)} · event ${code(decision.eventId, 120)} · ${decision.dryRun ? 'dry-run' : 'enforce'} mode · ${mrkdwn(decision.decidedAt, 40)}`, SLACK_LIMITS.contextElement),
    }],
  });
  const text = truncate(`${SEVERITY_EMOJI[severity]} ${mrkdwn(title, 200)}: ${mrkdwn(aliases[0] ?? decision.keyArn, 300)}`, SLACK_LIMITS.fallbackText);
  return { text, blocks };
};

const summaryFields = (decision: Decision, severity: Severity, aliases: readonly string[]): SlackText[] => {
  const field = (label: string, value: string): SlackText => ({ type: 'mrkdwn', text: truncate(`*${label}*\n${value}`, SLACK_LIMITS.sectionField) });
  const fields = [
    field('Severity', `${SEVERITY_EMOJI[severity]} ${severity}`),
    field('Action', `${code(decision.action, 40)}${decision.dryRun ? ' (dry run)' : ''}`),
    field('Key', code(decision.keyArn, 300)),
    field('Alias', aliases.length === 0 ? '—' : aliases.slice(0, 5).map((alias) => code(alias, 260)).join(' ')),
    field('Account / Region', `${code(decision.accountId || 'unknown', 20)} / ${code(decision.region || 'unknown', 30)}`),
    field('Actor', decision.actor === undefined ? '—' : code(decision.actor, 300)),
  ];
  if (decision.grantId !== undefined) fields.push(field('Grant', code(decision.grantId, 120)));
  if (decision.deletionDate !== undefined) fields.push(field('Deletion date', mrkdwn(decision.deletionDate, 40)));
  if (decision.reEnable !== undefined) fields.push(field('Re-enable', decision.reEnable ? 'yes (was Enabled before)' : 'no (stays Disabled)'));
  return fields.slice(0, 10);
};

const section = (lines: readonly string[]): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text: joinWithin(lines) } });

const aliasesOf = (evidence: Readonly<Record<string, unknown>>): string[] => {
  const raw = evidence.aliases ?? evidence.alias;
  const list = Array.isArray(raw) ? raw : [raw];
  return list.filter((alias): alias is string => typeof alias === 'string' && alias !== '');
};

/** Callers as the evidence carries them: strings, or objects with id/principal and count/lastAt. */
const callerLine = (caller: unknown): string => {
  if (typeof caller !== 'object' || caller === null) return `  ◦ ${code(caller)}`;
  const record = caller as Record<string, unknown>;
  const who = record.id ?? record.principal ?? JSON.stringify(record);
  const count = typeof record.count === 'number' ? ` ×${record.count}` : '';
  const last = typeof record.lastAt === 'string' ? `, last ${mrkdwn(record.lastAt, 40)}` : '';
  return `  ◦ ${code(who)}${count}${last}`;
};

const CALLER_KEYS = new Set(['topCallers', 'callers', 'brokenCallers', 'failingCallers']);
const SKIPPED_KEYS = new Set(['alias', 'aliases']);

const evidenceLines = (evidence: Readonly<Record<string, unknown>>): string[] => {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(evidence)) {
    if (SKIPPED_KEYS.has(name) || value === undefined || value === null) continue;
    if (CALLER_KEYS.has(name) && Array.isArray(value)) {
      lines.push(`• ${mrkdwn(name, 60)}:`, ...value.slice(0, 5).map(callerLine));
      if (value.length > 5) lines.push(`  ◦ …and ${value.length - 5} more`);
      continue;
    }
    const shown = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
    lines.push(`• ${mrkdwn(name, 60)}: ${code(shown, 300)}`);
  }
  return lines;
};

/** Port: somewhere a Slack message can be delivered (an Incoming Webhook). Throws when it could not be. */
export interface SlackPoster {
  post(message: SlackMessage): Promise<void>;
}
