/**
 * A key policy as the rules see it. CloudTrail carries it as a JSON string in requestParameters.policy;
 * some tools hand it over as an object, which is tolerated. Element forms follow the IAM grammar:
 * a statement or a list of them, strings or lists of strings, Principal "*" or {"AWS": ...}.
 */
export interface PolicyStatement {
  /** Sid, else "#<index>", so evidence can name the statement. */
  readonly label: string;
  readonly effect: string;
  /** Principal, when the statement has one (NotPrincipal statements have none). */
  readonly principal?: unknown;
  /** NotPrincipal: the statement applies to every principal except these. */
  readonly notPrincipal?: unknown;
  readonly actions?: readonly string[];
  /** NotAction: the statement applies to every action except these. */
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  readonly conditional: boolean;
}

export type PolicyRead =
  | { readonly kind: 'absent' }
  | { readonly kind: 'unreadable'; readonly reason: string }
  | { readonly kind: 'document'; readonly statements: readonly PolicyStatement[] };

export const readKeyPolicy = (raw: unknown): PolicyRead => {
  if (raw === undefined || raw === null) return { kind: 'absent' };
  let document: unknown = raw;
  if (typeof raw === 'string') {
    try {
      document = JSON.parse(raw);
    } catch (error) {
      return { kind: 'unreadable', reason: `policy is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
    }
  }
  if (!isObject(document)) return { kind: 'unreadable', reason: 'policy is not a JSON object' };
  const statement = document.Statement;
  const list = Array.isArray(statement) ? statement : [statement];
  if (statement === undefined || list.length === 0) return { kind: 'unreadable', reason: 'policy has no Statement' };
  const statements: PolicyStatement[] = [];
  for (const [index, entry] of list.entries()) {
    if (!isObject(entry)) return { kind: 'unreadable', reason: `Statement ${index} is not an object` };
    statements.push({
      label: typeof entry.Sid === 'string' && entry.Sid !== '' ? entry.Sid : `#${index}`,
      effect: typeof entry.Effect === 'string' ? entry.Effect : '',
      principal: entry.Principal,
      ...(entry.NotPrincipal === undefined ? {} : { notPrincipal: entry.NotPrincipal }),
      actions: strings(entry.Action),
      ...optionalList('notActions', entry.NotAction),
      resources: strings(entry.Resource),
      ...optionalList('notResources', entry.NotResource),
      conditional: isObject(entry.Condition) ? Object.keys(entry.Condition).length > 0 : entry.Condition !== undefined,
    });
  }
  return { kind: 'document', statements };
};

/** The AWS principals a Principal element names; "*" (alone or as {"AWS":"*"}) is returned as "*". */
export const awsPrincipals = (principal: unknown): string[] => {
  if (principal === '*') return ['*'];
  if (!isObject(principal)) return [];
  return strings(principal.AWS) ?? [];
};

export const isWildcardPrincipal = (principal: unknown): boolean => awsPrincipals(principal).includes('*');

/** The account's root ARN (any partition) or its bare id: both mean "the account, through IAM". */
export const namesAccount = (principal: string, accountId: string): boolean => {
  const account = accountId === '' || accountId === 'unknown' ? '\\d{12}' : escapeRegExp(accountId);
  return new RegExp(`^(arn:aws[a-z-]*:iam::${account}:root|${account})$`).test(principal);
};

/** Does an IAM action pattern (with * and ? wildcards, case-insensitive) match the action? */
export const actionMatches = (pattern: string, action: string): boolean =>
  new RegExp(`^${pattern.split('').map((char) => (char === '*' ? '.*' : char === '?' ? '.' : escapeRegExp(char))).join('')}$`, 'i').test(action);

/** Does the statement apply to this action: named by Action, or left out of NotAction? */
export const appliesToAction = (statement: PolicyStatement, action: string): boolean => {
  if (statement.notActions !== undefined) return !statement.notActions.some((pattern) => actionMatches(pattern, action));
  return statement.actions?.some((pattern) => actionMatches(pattern, action)) ?? false;
};

/** Does the statement apply to the key itself? A key policy's Resource is "*" (the key); NotResource "*" excludes it. */
export const appliesToTheKey = (statement: PolicyStatement): boolean => {
  if (statement.notResources !== undefined) return !statement.notResources.includes('*');
  return statement.resources === undefined || statement.resources.includes('*');
};

const optionalList = <K extends string>(name: K, value: unknown): { [P in K]?: string[] } => {
  const list = strings(value);
  return (list === undefined ? {} : { [name]: list }) as { [P in K]?: string[] };
};

const strings = (value: unknown): string[] | undefined => {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return undefined;
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
