/** What a grant-expiry rule says about one grant, in the shape of cdk-nag's rules. */
export type RuleResult =
  | { readonly status: 'NON_COMPLIANT'; readonly reason: string; readonly evidence: Readonly<Record<string, unknown>> }
  | { readonly status: 'COMPLIANT'; readonly evidence: Readonly<Record<string, unknown>> }
  | { readonly status: 'NOT_APPLICABLE' };

export const DAY_MS = 86_400_000;
