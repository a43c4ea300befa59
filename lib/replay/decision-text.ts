/**
 * A decision as sentences a platform engineer can act on: what the guard would do (replay is a dry run), which
 * key (alias first), who scheduled it and when it would be deleted, and the decisive evidence in words. Built from
 * the Decision alone, so it reads the same for every use case; unknown reasons fall back to their explanation.
 */
import type { Decision } from '../domain/model.js';
import { REASON_TEXT } from '../domain/slack-message.js';
import { printable } from '../ingest/printable.js';

const DAY_MS = 86_400_000;

export interface DecisionContext {
  /** The key's aliases, as the store knows them when the decision is printed. */
  readonly aliases?: readonly string[];
}

export const decisionText = (decision: Decision, context: DecisionContext = {}): string => {
  const subject = decision.keyArn.includes(':custom-key-store/') ? 'store' : 'key';
  const lines = [`${when(decision.decidedAt)}  ${headline(decision, context)}`, `    ${subject.padEnd(10)} ${decision.keyArn}`];
  const scheduling = schedulingLine(decision);
  if (scheduling !== undefined) lines.push(`    scheduled  ${scheduling}`);
  decision.reasons.forEach((reason, index) => lines.push(`    ${index === 0 ? 'because   ' : 'also      '} ${reasonLine(decision, reason)}`));
  const then = consequence(decision);
  if (then !== undefined) lines.push(`    then       ${then}`);
  return lines.map((line) => printable(line)).join('\n');
};

const headline = (decision: Decision, { aliases = [] }: DecisionContext): string => {
  const subject = aliases[0] ?? (decision.keyArn.endsWith('/(unresolved)') ? `a key the event does not name (account ${decision.accountId}, ${decision.region})` : shortKey(decision.keyArn));
  const would = decision.dryRun ? 'would ' : '';
  switch (decision.action) {
    case 'cancel-deletion':
      return `${would.toUpperCase()}CANCEL the deletion of ${subject}`;
    case 'allow-deletion':
      return `${decision.dryRun ? 'WOULD LET' : 'LET'} the deletion of ${subject} proceed`;
    case 'revoke-grant':
      return `${would.toUpperCase()}REVOKE grant ${shortId(decision.grantId ?? '?')} on ${subject}`;
    case 'alert':
      return `ALERT on ${subject}: ${decision.reasons[0] ?? 'unspecified'}`;
  }
};

const schedulingLine = (decision: Decision): string | undefined => {
  const evidence = decision.evidence;
  const by = text(evidence.scheduledBy) ?? (decision.action !== 'revoke-grant' && decision.action !== 'alert' ? decision.actor : undefined);
  const at = text(evidence.scheduledAt);
  const deletionDate = decision.deletionDate ?? text(evidence.deletionDate);
  if (by === undefined && at === undefined && deletionDate === undefined) return undefined;
  const parts = [
    by === undefined ? 'by an unknown principal' : `by ${shortPrincipal(by)}`,
    ...(at === undefined ? [] : [`on ${when(at)}`]),
    deletionDate === undefined ? 'no deletion date known' : `to be deleted on ${when(deletionDate)}${daysLeft(deletionDate, decision.decidedAt)}`,
  ];
  return parts.join(', ');
};

/** The reason in words, with the facts behind it when the decision carries them. */
const reasonLine = (decision: Decision, reason: string): string => {
  const facts = factsOf(decision, reason);
  const detail = reasonDetail(reason, facts, decision);
  return `${reason}: ${detail ?? REASON_TEXT[reason] ?? 'see the evidence in --json'}`;
};

const reasonDetail = (reason: string, facts: Readonly<Record<string, unknown>>, decision: Decision): string | undefined => {
  const lastUsedAt = text(facts.lastUsedAt);
  const reference = text(decision.evidence.scheduledAt) ?? decision.decidedAt;
  switch (reason) {
    case 'recent-use':
    case 'old-use':
      if (lastUsedAt === undefined) return undefined;
      return `last used ${ago(lastUsedAt, reference, text(decision.evidence.scheduledAt) === undefined ? 'before this decision' : 'before the scheduling')}${usedBy(facts)}`;
    case 'use-while-pending-deletion':
    case 'use-while-disabled': {
      const callers = list(facts.callers);
      const failedAt = text(facts.failedAt);
      return `${text(facts.operation) ?? 'a call'} failed${failedAt === undefined ? '' : ` on ${when(failedAt)}`}${callers.length === 0 ? '' : ` for ${callers.map(shortPrincipal).join(', ')}`}${reason === 'use-while-disabled' ? ' while the key was disabled' : ' because the key is pending deletion'}`;
    }
    case 'exempt-principal':
      return `scheduled by ${shortPrincipal(text(facts.scheduledBy) ?? '?')}, an exempt principal`;
    case 'disabled-without-failures':
      return `disabled since ${when(text(facts.disabledSince) ?? '?')} (${String(facts.disabledDays ?? '?')} days, at least ${String(facts.observationPeriodDays ?? '?')}) and no call failed`;
    case 'no-recorded-use':
    case 'insufficient-history':
      return `no use recorded in ${String(facts.watchedDays ?? 0)} days of watching (${String(facts.requiredDays ?? "?")} required)`;
    case 'stale-grant':
      return staleGrantDetail(decision.evidence);
    default:
      return undefined;
  }
};

const staleGrantDetail = (evidence: Readonly<Record<string, unknown>>): string | undefined => {
  const grantee = text(evidence.grantee);
  const age = evidence.ageDays;
  if (grantee === undefined || typeof age !== 'number') return undefined;
  const operations = list(evidence.operations);
  return `created ${age} days ago for ${shortPrincipal(grantee)}${operations.length === 0 ? '' : ` (${operations.join(', ')})`}; no probable use in the last ${String(evidence.recentUseDays ?? '?')} days`;
};

const consequence = (decision: Decision): string | undefined => {
  const outcome = decision.outcome;
  if (outcome !== undefined && outcome.length > 0) return outcome.map((call) => `${call.call} ${call.result}${call.detail === undefined ? '' : ` (${call.detail})`}`).join(', ');
  if (decision.action === 'cancel-deletion') {
    return decision.reEnable === true
      ? 'CancelKeyDeletion, then EnableKey: the key was Enabled before it was scheduled'
      : 'CancelKeyDeletion; the key stays Disabled (it was not known to be Enabled before)';
  }
  if (decision.action === 'revoke-grant') return 'RevokeGrant';
  if (decision.action === 'allow-deletion') return 'nothing: KMS deletes the key on its deletion date';
  return undefined;
};

const factsOf = (decision: Decision, reason: string): Readonly<Record<string, unknown>> => {
  const byReason = decision.evidence.reasons;
  const facts = typeof byReason === 'object' && byReason !== null ? (byReason as Record<string, unknown>)[reason] : undefined;
  return typeof facts === 'object' && facts !== null ? (facts as Record<string, unknown>) : decision.evidence;
};

const usedBy = (facts: Readonly<Record<string, unknown>>): string => {
  const by = text(facts.by);
  const operation = text(facts.operation);
  if (by === undefined && operation === undefined) return '';
  return ` by ${by === undefined ? 'an unknown caller' : shortPrincipal(by)}${operation === undefined ? '' : ` (${operation})`}`;
};

const ago = (at: string, reference: string, relation: string): string => {
  const days = Math.floor((Date.parse(reference) - Date.parse(at)) / DAY_MS);
  if (Number.isNaN(days)) return `on ${at}`;
  return `on ${when(at)}, ${days === 0 ? 'less than a day' : days === 1 ? '1 day' : `${days} days`} ${relation}`;
};

const daysLeft = (deletionDate: string, decidedAt: string): string => {
  const days = Math.ceil((Date.parse(deletionDate) - Date.parse(decidedAt)) / DAY_MS);
  return Number.isNaN(days) ? '' : days <= 0 ? ' (past)' : ` (in ${days} day${days === 1 ? '' : 's'})`;
};

/** "2026-11-23 09:14 UTC". */
const when = (iso: string): string => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso);

/** role/orders-app (111122223333) → "role/orders-app"; a session counts as its role elsewhere already. */
export const shortPrincipal = (principal: string): string => {
  const iam = /^arn:aws[a-z-]*:(?:iam|sts)::\d+:(.+)$/.exec(principal);
  return iam?.[1] ?? principal;
};

const shortKey = (keyArn: string): string => /:key\/(.+)$/.exec(keyArn)?.[0].slice(1) ?? keyArn;
const shortId = (id: string): string => (id.length > 16 ? `${id.slice(0, 12)}…` : id);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
