/** One rule's verdict, in the shape cdk-nag's rules use: a finding only when NON_COMPLIANT. */
export interface Finding {
  /** The reason code the decision carries (policy-lockout, disabled-in-use…). */
  readonly reason: string;
  /** Small, JSON-serialisable facts behind it. */
  readonly evidence: Readonly<Record<string, unknown>>;
}

export type RuleResult =
  | { readonly status: 'NON_COMPLIANT'; readonly finding: Finding }
  | { readonly status: 'COMPLIANT' | 'NOT_APPLICABLE' };

export const COMPLIANT: RuleResult = { status: 'COMPLIANT' };
export const NOT_APPLICABLE: RuleResult = { status: 'NOT_APPLICABLE' };

export const nonCompliant = (reason: string, evidence: Readonly<Record<string, unknown>>): RuleResult => ({
  status: 'NON_COMPLIANT',
  finding: { reason, evidence },
});

export const findingsOf = (results: readonly RuleResult[]): Finding[] =>
  results.flatMap((result) => (result.status === 'NON_COMPLIANT' ? [result.finding] : []));
