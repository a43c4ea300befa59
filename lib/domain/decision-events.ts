/**
 * Decisions as events on the guard's bus: one detail-type per action, the Decision as detail.
 * The schema is the contract for consumers (the notifier validates with it); docs/alerts.md describes it.
 */
import * as z from 'zod';
import type { Action, Decision } from './model.js';

export const DECISION_EVENT_SOURCE = 'kms-guard';

export const DECISION_DETAIL_TYPES = {
  'cancel-deletion': 'KMS Guard Deletion Cancelled',
  'allow-deletion': 'KMS Guard Deletion Allowed',
  'revoke-grant': 'KMS Guard Grant Revoked',
  alert: 'KMS Guard Alert',
} as const satisfies Record<Action, string>;

export type DecisionDetailType = (typeof DECISION_DETAIL_TYPES)[Action];

export const detailTypeFor = (action: Action): DecisionDetailType => DECISION_DETAIL_TYPES[action];

const isoDate = z.iso.datetime({ offset: true });

export const actionOutcomeSchema = z.object({
  call: z.string(),
  result: z.enum(['ok', 'already-done', 'failed', 'skipped']),
  detail: z.string().optional(),
});

export const decisionSchema = z.object({
  decisionId: z.string().min(1),
  action: z.enum(['cancel-deletion', 'alert', 'allow-deletion', 'revoke-grant']),
  keyArn: z.string().min(1),
  grantId: z.string().optional(),
  reasons: z.array(z.string()),
  evidence: z.record(z.string(), z.unknown()),
  eventId: z.string().min(1),
  decidedAt: isoDate,
  actor: z.string().optional(),
  accountId: z.string(),
  region: z.string(),
  reEnable: z.boolean().optional(),
  deletionDate: isoDate.optional(),
  dryRun: z.boolean(),
  outcome: z.array(actionOutcomeSchema).optional(),
});

/** The EventBridge event the notifier receives (the fields it relies on; EventBridge adds more). */
export const decisionEventSchema = z.object({
  id: z.string().optional(),
  source: z.literal(DECISION_EVENT_SOURCE),
  'detail-type': z.enum(Object.values(DECISION_DETAIL_TYPES) as [DecisionDetailType, ...DecisionDetailType[]]),
  time: z.string().optional(),
  account: z.string().optional(),
  region: z.string().optional(),
  resources: z.array(z.string()).optional(),
  detail: decisionSchema,
});

export type DecisionEvent = z.infer<typeof decisionEventSchema>;

/** A PutEvents entry for a decision (without the bus name, which the adapter adds). */
export interface DecisionEventEntry {
  readonly Source: typeof DECISION_EVENT_SOURCE;
  readonly DetailType: DecisionDetailType;
  readonly Detail: string;
  readonly Time: Date;
  readonly Resources: string[];
}

export const toDecisionEventEntry = (decision: Decision): DecisionEventEntry => ({
  Source: DECISION_EVENT_SOURCE,
  DetailType: detailTypeFor(decision.action),
  Detail: JSON.stringify(decision),
  Time: new Date(decision.decidedAt),
  Resources: [decision.keyArn],
});

/** Parses an event detail back into a Decision, with a clear reason when it is not one. */
export const parseDecision = (detail: unknown): z.ZodSafeParseResult<Decision> =>
  decisionSchema.safeParse(detail) as z.ZodSafeParseResult<Decision>;
