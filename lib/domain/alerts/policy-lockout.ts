/**
 * policy-lockout: the policy must keep a statement that lets the account administer the key through
 * IAM (Allow, the account root or id, kms:*, Resource *, unconditional) that no unconditional Deny on
 * kms:PutKeyPolicy overrides. Without it only the principals named in the policy can ever fix it.
 * A Deny reaches the account however it is written: Principal "*" or the account, NotPrincipal that leaves the
 * account out ("Deny NotPrincipal Admin kms:*"), Action or NotAction covering kms:PutKeyPolicy.
 */
import { appliesToAction, appliesToTheKey, awsPrincipals, namesAccount, type PolicyStatement } from './key-policy.js';
import { COMPLIANT, nonCompliant, type RuleResult } from './rule-result.js';

const coversAllKmsActions = (actions: readonly string[] | undefined): boolean =>
  actions?.some((action) => action === '*' || action.toLowerCase() === 'kms:*') ?? false;

const coversAllResources = (resources: readonly string[] | undefined): boolean => resources?.includes('*') ?? false;

/** The account's IAM principals fall under the Deny: named (or "*"), or not excepted by NotPrincipal. */
const deniesTheAccount = (statement: PolicyStatement, accountId: string): boolean => {
  if (statement.notPrincipal !== undefined) {
    const excepted = awsPrincipals(statement.notPrincipal);
    return !excepted.some((principal) => principal === '*' || namesAccount(principal, accountId));
  }
  return awsPrincipals(statement.principal).some((principal) => principal === '*' || namesAccount(principal, accountId));
};

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
      deniesTheAccount(statement, accountId) &&
      appliesToAction(statement, 'kms:PutKeyPolicy') &&
      appliesToTheKey(statement),
  );
  if (admin.length > 0 && overriding.length === 0) return COMPLIANT;
  return nonCompliant('policy-lockout', {
    accountId,
    adminStatements: admin.map((statement) => statement.label),
    ...(overriding.length > 0 ? { overriddenBy: overriding.map((statement) => statement.label) } : {}),
    statements: statements.length,
  });
};
