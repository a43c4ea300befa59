/** GrantStore in the process: the DynamoDB grant store's rules (grant-ledger.ts) on the in-memory table. */
import { close, isClosed, mergeDiscoveredGrant } from '../domain/grant-ledger.js';
import type { GrantRecord, GrantStatus } from '../domain/model.js';
import type { GrantStore } from '../domain/ports.js';
import { grantItem, grantKey, readGrant, strings } from './dynamodb-items.js';
import { GSI1_ACTIVE_GRANT, grantSk, keyPk } from './dynamodb-table.js';
import { type MemoryTable, nextVersion } from './memory-table.js';

export class MemoryGrantStore implements GrantStore {
  constructor(private readonly table: MemoryTable) {}

  /** Active grants only, as the DynamoDB store reads them (through gsi1). */
  async listGrants(keyArn: string): Promise<GrantRecord[]> {
    return this.table
      .query(keyPk(keyArn), grantSk(''))
      .flatMap((item) => readGrant(item) ?? [])
      .filter((grant) => grant.status === 'active');
  }

  async getGrant(keyArn: string, grantId: string): Promise<GrantRecord | undefined> {
    return readGrant(this.table.get(grantKey(keyArn, grantId)));
  }

  async listActiveGrants(): Promise<GrantRecord[]> {
    return this.table.queryIndex(GSI1_ACTIVE_GRANT).flatMap((item) => readGrant(item) ?? []);
  }

  /** A closed grant stays closed; what CloudTrail told us (creator, invokedBy) survives a ListGrants refresh. */
  async upsertDiscoveredGrants(grants: readonly GrantRecord[]): Promise<GrantRecord[]> {
    const stored: GrantRecord[] = [];
    for (const discovered of grants) {
      const written = this.update(discovered.keyArn, discovered.grantId, (stored) => mergeDiscoveredGrant(stored, discovered));
      if (written !== undefined) stored.push(written);
      else throw new Error(`grant ${discovered.grantId} of ${discovered.keyArn}: nothing to store`);
    }
    return stored;
  }

  async closeGrant(keyArn: string, grantId: string, status: Exclude<GrantStatus, 'active'>, at: string, by: string): Promise<void> {
    this.update(keyArn, grantId, (stored) => {
      if (stored !== undefined && isClosed(stored)) return undefined;
      // Unknown until now: a closed stub keeps a later-seen CreateGrant from reopening it.
      const grant = stored ?? { grantId, keyArn, operations: [], createdAt: at, status: 'active', source: 'list-grants' };
      return close(grant, status, at, by);
    });
  }

  /** Writes the changed grant; returns the grant as the store then holds it (the stored one when nothing changed). */
  private update(keyArn: string, grantId: string, change: (stored: GrantRecord | undefined) => GrantRecord | undefined): GrantRecord | undefined {
    const key = grantKey(keyArn, grantId);
    const stored = this.table.get(key);
    const next = change(readGrant(stored));
    if (next === undefined) return readGrant(stored);
    // The document client drops undefined attributes; the stored record must not keep them either.
    const item = withoutUndefined(grantItem(next, strings(stored?.appliedEventIds)));
    this.table.put({ ...item, ...key, version: nextVersion(stored) });
    return readGrant(item);
  }
}

/** What the document client (removeUndefinedValues) writes: objects without their undefined members. */
export const withoutUndefined = <T>(value: T): T => {
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).flatMap(([name, member]) => (member === undefined ? [] : [[name, withoutUndefined(member)]])),
  ) as T;
};
