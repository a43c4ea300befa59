/**
 * A grant can carry its own lifetime in its Name: `kms-guard:ttl:<N>d` (grant names allow only
 * [a-zA-Z0-9:/_-], so the marker is plain text among other name parts, e.g. `ci-deploy/kms-guard:ttl:7d`).
 */
const DAY_MS = 86_400_000;
const TTL_MARKER = /(?:^|[:/_-])kms-guard:ttl:(\d{1,5})d(?=$|[:/_-])/g;

/** The TTL in days, or undefined when the name has no valid marker. With several, the longest wins (the safe side). */
export const parseGrantTtlDays = (name: string | undefined): number | undefined => {
  if (name === undefined) return undefined;
  const days = [...name.matchAll(TTL_MARKER)].map((match) => Number(match[1])).filter((value) => value > 0);
  return days.length === 0 ? undefined : Math.max(...days);
};

export interface GrantTtl {
  readonly ttlDays: number;
  /** ISO-8601 UTC: creation time plus the TTL. The grant is expired from this instant on. */
  readonly expiresAt: string;
}

export const grantTtl = (grant: { readonly name?: string; readonly createdAt: string }): GrantTtl | undefined => {
  const ttlDays = parseGrantTtlDays(grant.name);
  const createdMs = Date.parse(grant.createdAt);
  if (ttlDays === undefined || Number.isNaN(createdMs)) return undefined;
  return { ttlDays, expiresAt: new Date(createdMs + ttlDays * DAY_MS).toISOString() };
};
