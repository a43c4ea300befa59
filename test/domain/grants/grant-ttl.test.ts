import { describe, expect, it } from 'vitest';
import { grantTtl, parseGrantTtlDays } from '../../../lib/domain/grants/grant-ttl.js';

describe('parseGrantTtlDays', () => {
  it.each([
    ['kms-guard:ttl:7d', 7],
    ['deploy/kms-guard:ttl:30d', 30],
    ['kms-guard:ttl:1d_ci-run-42', 1],
    ['a-kms-guard:ttl:2d:b', 2],
    ['kms-guard:ttl:3d/kms-guard:ttl:10d', 10],
  ])('reads %s as %i days', (name, days) => {
    expect(parseGrantTtlDays(name)).toBe(days);
  });

  it.each([
    ['no name', undefined],
    ['a name without a marker', 'ci-deploy'],
    ['a zero TTL', 'kms-guard:ttl:0d'],
    ['a unit other than days', 'kms-guard:ttl:7h'],
    ['a marker glued to other text', 'xkms-guard:ttl:7d'],
    ['a marker followed by more digits or letters', 'kms-guard:ttl:7days'],
    ['an absurdly long TTL', 'kms-guard:ttl:123456d'],
  ])('finds no TTL in %s', (_label, name) => {
    expect(parseGrantTtlDays(name)).toBeUndefined();
  });
});

describe('grantTtl', () => {
  it('expires N whole days after creation', () => {
    expect(grantTtl({ name: 'kms-guard:ttl:2d', createdAt: '2026-02-27T10:00:00.000Z' })).toEqual({
      ttlDays: 2,
      expiresAt: '2026-03-01T10:00:00.000Z',
    });
  });

  it('gives no TTL when the creation time cannot be read', () => {
    expect(grantTtl({ name: 'kms-guard:ttl:2d', createdAt: 'yesterday' })).toBeUndefined();
  });
});
