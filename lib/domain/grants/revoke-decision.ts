/** The revoke-grant decision for a grant the rules found stale or expired. */
import type { Decision, GrantRecord } from '../model.js';

const KEY_ARN = /^arn:[a-z-]+:kms:([a-z0-9-]+):(\d{12}):key\/.+$/;

/** The sweep's trigger id: one per hour, so the same hour's sweeps share it. */
export const grantSweepEventId = (now: Date): string => `grant-sweep#${now.toISOString().slice(0, 13)}`;

/**
 * One revoke decision per grant whatever the hour, so a repeated sweep finds it claimed and revokes once.
 * A dry-run decision has its own id: it must not stand in for the real revoke once enforcement is on.
 */
export const revokeDecisionId = (keyArn: string, grantId: string, dryRun: boolean): string =>
  `revoke#${keyArn}#${grantId}${dryRun ? '#dry-run' : ''}`;

export const keyArnParts = (keyArn: string): { readonly region: string; readonly accountId: string } => {
  const match = KEY_ARN.exec(keyArn);
  return { region: match?.[1] ?? 'unknown', accountId: match?.[2] ?? 'unknown' };
};

export const buildRevokeDecision = (
  grant: GrantRecord,
  verdict: { readonly reasons: readonly string[]; readonly evidence: Readonly<Record<string, unknown>> },
  now: Date,
  dryRun: boolean,
  aliases: readonly string[] = [],
): Decision => ({
  decisionId: revokeDecisionId(grant.keyArn, grant.grantId, dryRun),
  action: 'revoke-grant',
  keyArn: grant.keyArn,
  grantId: grant.grantId,
  reasons: verdict.reasons,
  evidence: aliases.length === 0 ? verdict.evidence : { ...verdict.evidence, aliases: aliases.slice(0, 5) },
  eventId: grantSweepEventId(now),
  decidedAt: now.toISOString(),
  ...keyArnParts(grant.keyArn),
  dryRun,
});
