import { describe, expect, it } from 'vitest';
import { GONE_GRACE_MS, reconcileGrants } from '../../../lib/domain/grants/reconcile-grants.js';
import type { GrantRecord } from '../../../lib/domain/model.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const record = (grantId: string, overrides: Partial<GrantRecord> = {}): GrantRecord => ({
  grantId,
  keyArn: KEY_ARN,
  granteePrincipal: 'arn:aws:iam::111122223333:role/app',
  operations: ['Decrypt'],
  createdAt: '2026-01-01T00:00:00.000Z',
  status: 'active',
  source: 'cloudtrail',
  ...overrides,
});

describe('reconcileGrants', () => {
  it('discovers a grant only KMS lists, keeping its CreationDate', () => {
    const listed = record('pre-existing', { createdAt: '2024-03-01T00:00:00.000Z', source: 'list-grants' });
    const result = reconcileGrants([], [listed], NOW);
    expect(result.discovered).toEqual([listed]);
    expect(result.active).toEqual([listed]);
  });

  it('declares gone an active stored grant KMS no longer lists', () => {
    const stored = record('vanished');
    const result = reconcileGrants([stored], [], NOW);
    expect(result.gone).toEqual([stored]);
    expect(result.active).toEqual([]);
  });

  it('gives a just-created grant time to appear in ListGrants before declaring it gone', () => {
    const fresh = record('fresh', { createdAt: new Date(NOW.getTime() - GONE_GRACE_MS + 1000).toISOString() });
    const result = reconcileGrants([fresh], [], NOW);
    expect(result.gone).toEqual([]);
    expect(result.active).toEqual([fresh]);
  });

  it('never reopens a grant the store has closed, even if KMS still lists it', () => {
    const retired = record('retired', { status: 'retired' });
    const result = reconcileGrants([retired], [record('retired', { source: 'list-grants' })], NOW);
    expect(result).toEqual({ discovered: [], gone: [], active: [] });
  });

  it("keeps the store's record of a grant both know, filling its gaps from KMS", () => {
    const stored = record('both', { invokedBy: 'rds.amazonaws.com' });
    const listed = record('both', { name: 'kms-guard:ttl:7d', source: 'list-grants' });
    const [active] = reconcileGrants([stored], [listed], NOW).active;
    expect(active).toMatchObject({ invokedBy: 'rds.amazonaws.com', name: 'kms-guard:ttl:7d', source: 'cloudtrail' });
  });
});

describe('reconcileGrants, for a grant KMS reports as held by a service', () => {
  it('takes the service principal from KMS so the grant is recognised as an AWS service grant', () => {
    const stored = record('svc', { granteePrincipal: 'arn:aws:iam::111122223333:role/app' });
    const listed = record('svc', { granteePrincipal: 'rds.eu-west-1.amazonaws.com', source: 'list-grants' });
    expect(reconcileGrants([stored], [listed], NOW).active[0]?.granteePrincipal).toBe('rds.eu-west-1.amazonaws.com');
  });
});
