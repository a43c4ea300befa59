/** public-key-policy: an Allow for Principal "*" (or {"AWS":"*"}) with no Condition lets anyone use the key. */
import { isWildcardPrincipal, type PolicyStatement } from './key-policy.js';
import { COMPLIANT, nonCompliant, type RuleResult } from './rule-result.js';

export const publicKeyPolicy = (statements: readonly PolicyStatement[]): RuleResult => {
  const open = statements.filter(
    (statement) => statement.effect === 'Allow' && !statement.conditional && isWildcardPrincipal(statement.principal),
  );
  if (open.length === 0) return COMPLIANT;
  return nonCompliant('public-key-policy', {
    publicStatements: open.map((statement) => ({ statement: statement.label, actions: statement.actions ?? [] })),
  });
};
