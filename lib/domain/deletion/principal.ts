/**
 * Principals compared the way IAM means them: an assumed-role session is its role, and a role ARN's path
 * is not part of the session ARN CloudTrail writes, so roles compare by account and name.
 */
const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;
const ROLE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;
const ACCOUNT_ID = /^\d{12}$/;

export const principalKey = (principal: string): string => {
  const text = principal.trim();
  const role = ASSUMED_ROLE.exec(text) ?? ROLE.exec(text);
  if (role !== null) return `role:${role[1]}:${role[2]}:${role[3]}`;
  // An account id on its own stands for the account's root, as in key policies.
  if (ACCOUNT_ID.test(text)) return `arn:aws:iam::${text}:root`;
  return text;
};

export const samePrincipal = (a: string, b: string): boolean => principalKey(a) === principalKey(b);
