/** lockout-check-bypassed: KMS was told not to refuse a policy that locks the caller out. */
import { COMPLIANT, nonCompliant, type RuleResult } from './rule-result.js';

export const lockoutCheckBypassed = (requestParameters: Readonly<Record<string, unknown>>): RuleResult => {
  const flag = requestParameters.bypassPolicyLockoutSafetyCheck;
  return flag === true || flag === 'true' ? nonCompliant('lockout-check-bypassed', { bypassPolicyLockoutSafetyCheck: true }) : COMPLIANT;
};
