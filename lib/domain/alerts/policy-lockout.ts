/**
 * policy-lockout: the policy must keep a statement that lets the account administer the key through
 * IAM (Allow, the account root or id, kms:*, Resource *, unconditional) that no unconditional Deny on
 * kms:PutKeyPolicy overrides. Without it only the principals named in the policy can ever fix it.
 */
import { actionMatches, awsPrincipals, namesAccount, type PolicyStatement } from './key-policy.js';
import { COMPLIANT, nonCompliant, type RuleResult } from './rule-result.js';

const coversAllKmsActions = (actions: readonly string[] | undefined): boolean =>
  actions?.some((action) => action === '*' || action.toLowerCase() === 'kms:*') ?? false;

const coversAllResources = (resources: readonly string[] | undefined): boolean => resources?.includes('*') ?? false;

export const policyLockout = (statements: readonly PolicyStatement[], accountId: string): RuleResult => {
  const admin = statements.filter(
    (statement) =>
      statement.effect === 'Allow' &&
      !statement.conditional &&
      awsPrincipals(statement.principal).some((principal) => namesAccount(principal, accountId)) &&
      coversAllKmsActions(statement.actions) &&
      coversAllResources(statement.resources),
  );
  const overriding = statements.filter(
    (statement) =>
      statement.effect === 'Deny' &&
      !statement.conditional &&
      awsPrincipals(statement.principal).some((principal) => principal === '*' || namesAccount(principal, accountId)) &&
      (statement.actions?.some((action) => actionMatches(action, 'kms:PutKeyPolicy')) ?? false) &&
      (statement.resources === undefined || coversAllResources(statement.resources)),
  );
  if (admin.length > 0 && overriding.length === 0) return COMPLIANT;
  return nonCompliant('policy-lockout', {
    accountId,
    adminStatements: admin.map((statement) => statement.label),
    ...(overriding.length > 0 ? { overriddenBy: overriding.map((statement) => statement.label) } : {}),
    statements: statements.length,
  });
};
