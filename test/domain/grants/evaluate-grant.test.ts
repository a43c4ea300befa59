import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateGrant, type GrantContext } from '../../../lib/domain/grants/evaluate-grant.js';
import type { CallerUsage, GrantRecord } from '../../../lib/domain/model.js';
import { cloudTrailSamplesDir } from '../../support/fixtures.js';

const samples = cloudTrailSamplesDir;

const DAY_MS = 86_400_000;
const NOW = new Date('2026-06-01T12:00:00.000Z');
const daysAgo = (days: number): string => new Date(NOW.getTime() - days * DAY_MS).toISOString();
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const APP_ROLE = 'arn:aws:iam::111122223333:role/app';

const grant = (overrides: Partial<GrantRecord> = {}): GrantRecord => ({
  grantId: 'a'.repeat(64),
  keyArn: KEY_ARN,
  granteePrincipal: APP_ROLE,
  operations: ['Decrypt', 'Encrypt'],
  createdAt: daysAgo(200),
  status: 'active',
  source: 'cloudtrail',
  ...overrides,
});

const caller = (principal: string, lastAt: string, operations: string[]): CallerUsage => ({
  id: principal,
  principal,
  count: 1,
  lastAt,
  operations,
});

const context = (
  overrides: { callers?: CallerUsage[]; tags?: Record<string, string>; aliases?: string[]; keyManager?: string; keyState?: string } = {},
): GrantContext => ({
  key: { keyManager: overrides.keyManager ?? 'CUSTOMER', aliases: overrides.aliases ?? [], tags: overrides.tags ?? {}, keyState: overrides.keyState ?? 'Enabled' },
  usage: { callers: overrides.callers ?? [], lastUsedByOperation: {} },
  policy: { grantMaxAgeDays: 90, grantRecentUseDays: 30 },
});

/** The EBS attach grant exactly as EC2 created it (real record), 3 years old and never seen in use. */
const ebsAttachGrant = (): GrantRecord => {
  const record = JSON.parse(
    readFileSync(path.join(samples, 'github-lab-writeups/fr-academy-lab__CreateGrant-by-ec2-for-ebs-attach.json'), 'utf8'),
  ) as {
    requestParameters: { keyId: string; granteePrincipal: string; retiringPrincipal: string; operations: string[]; constraints: { encryptionContextSubset: Record<string, string> } };
    responseElements: { grantId: string };
    userIdentity: { sessionContext: { sessionIssuer: { arn: string } }; invokedBy: string };
  };
  const request = record.requestParameters;
  return grant({
    grantId: record.responseElements.grantId,
    keyArn: request.keyId,
    granteePrincipal: request.granteePrincipal,
    retiringPrincipal: request.retiringPrincipal,
    operations: request.operations,
    constraints: { encryptionContextSubset: request.constraints.encryptionContextSubset },
    createdBy: record.userIdentity.sessionContext.sessionIssuer.arn,
    invokedBy: record.userIdentity.invokedBy,
    createdAt: daysAgo(3 * 365),
  });
};

describe('evaluateGrant', () => {
  describe('never revokes an AWS service grant, whatever its age', () => {
    const serviceGrants: [string, GrantRecord][] = [
      ['the EBS attach grant EC2 created (real CloudTrail record)', ebsAttachGrant()],
      ['an RDS grant to its service principal', grant({ granteePrincipal: 'rds.eu-west-1.amazonaws.com', constraints: { encryptionContextSubset: { 'aws:rds:db-id': 'db-ABC' } }, name: 'kms-guard:ttl:1d' })],
      ['a grant Lambda created (invokedBy lambda.amazonaws.com)', grant({ invokedBy: 'lambda.amazonaws.com', createEventId: 'e-1', constraints: { encryptionContextEquals: { 'aws:lambda:FunctionArn': 'arn:aws:lambda:eu-west-1:111122223333:function:f' } } })],
      ['a grant to Auto Scaling’s service-linked role', grant({ granteePrincipal: 'arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling' })],
      ['a grant to a service principal', grant({ granteePrincipal: 'secretsmanager.amazonaws.com' })],
    ];
    it.each(serviceGrants)('keeps %s', (_label, serviceGrant) => {
      const verdict = evaluateGrant(serviceGrant, context(), NOW);
      expect(verdict.kind).toBe('service-grant');
      expect(verdict.kind === 'service-grant' && verdict.evidence.length).toBeGreaterThan(0);
    });

    it('recognises the real EBS grant by its grantee, EC2’s infrastructure role, and by how EC2 created it', () => {
      const verdict = evaluateGrant(ebsAttachGrant(), context(), NOW);
      expect(verdict).toEqual({
        kind: 'service-grant',
        evidence: [
          "grantee arn:aws:sts::715248393954:assumed-role/aws:ec2-infrastructure/i-0c9d812c0cfa2790f is EC2's aws:ec2-infrastructure role",
          'created by ec2-frontend-api.amazonaws.com',
        ],
      });
    });
  });

  describe('revokes a grant whose Name carries a TTL once the TTL has passed', () => {
    const ttlGrant = (createdAt: string) => grant({ name: 'ci/kms-guard:ttl:7d', createdAt });

    it('keeps it one second before N days', () => {
      const verdict = evaluateGrant(ttlGrant(new Date(NOW.getTime() - 7 * DAY_MS + 1000).toISOString()), context(), NOW);
      expect(verdict.kind).toBe('keep');
    });

    it('revokes it one second after N days, with the expiry as evidence', () => {
      const createdAt = new Date(NOW.getTime() - 7 * DAY_MS - 1000).toISOString();
      const verdict = evaluateGrant(ttlGrant(createdAt), context(), NOW);
      expect(verdict).toMatchObject({
        kind: 'revoke',
        reasons: ['grant-ttl-expired'],
        evidence: { ttlDays: 7, ttlExpiresAt: new Date(Date.parse(createdAt) + 7 * DAY_MS).toISOString(), createdAt },
      });
    });

    it('revokes it even when the grantee used it yesterday', () => {
      const verdict = evaluateGrant(ttlGrant(daysAgo(8)), context({ callers: [caller(APP_ROLE, daysAgo(1), ['Decrypt'])] }), NOW);
      expect(verdict).toMatchObject({ kind: 'revoke', reasons: ['grant-ttl-expired'] });
    });

    it('names both reasons, the TTL first, when an expired-TTL grant is also stale', () => {
      const verdict = evaluateGrant(ttlGrant(daysAgo(120)), context(), NOW);
      expect(verdict).toMatchObject({ kind: 'revoke', reasons: ['grant-ttl-expired', 'stale-grant'] });
    });
  });

  describe('revokes a grant past the maximum age unless it was probably used recently', () => {
    it('keeps a grant younger than the maximum age that nobody uses', () => {
      expect(evaluateGrant(grant({ createdAt: daysAgo(89) }), context(), NOW).kind).toBe('keep');
    });

    it('revokes an old grant nobody used, with age, grantee, operations and the limit as evidence', () => {
      const verdict = evaluateGrant(grant(), context(), NOW);
      expect(verdict).toMatchObject({
        kind: 'revoke',
        reasons: ['stale-grant'],
        evidence: {
          ageDays: 200,
          createdAt: daysAgo(200),
          grantee: APP_ROLE,
          operations: ['Decrypt', 'Encrypt'],
          lastProbableUse: null,
          maxAgeDays: 90,
          maxAgeSource: 'policy',
          recentUseDays: 30,
        },
      });
    });

    it('keeps an old grant its grantee role used 10 days ago through a session', () => {
      const sessionGrant = grant({ granteePrincipal: 'arn:aws:sts::111122223333:assumed-role/app/i-0abc' });
      const verdict = evaluateGrant(sessionGrant, context({ callers: [caller(APP_ROLE, daysAgo(10), ['Decrypt'])] }), NOW);
      expect(verdict).toMatchObject({
        kind: 'keep',
        evidence: { lastProbableUse: { at: daysAgo(10), principal: APP_ROLE, operations: ['Decrypt'], match: 'grantee' } },
      });
    });

    it('revokes an old grant used only by another principal', () => {
      const verdict = evaluateGrant(grant(), context({ callers: [caller('arn:aws:iam::111122223333:role/other', daysAgo(10), ['Decrypt'])] }), NOW);
      expect(verdict).toMatchObject({ kind: 'revoke', reasons: ['stale-grant'] });
    });

    it('revokes an old grant whose grantee used the key only for an operation the grant does not allow', () => {
      const verdict = evaluateGrant(grant(), context({ callers: [caller(APP_ROLE, daysAgo(10), ['GenerateDataKey'])] }), NOW);
      expect(verdict).toMatchObject({ kind: 'revoke', reasons: ['stale-grant'] });
    });

    it('revokes an old grant whose grantee last used it before the recent-use window', () => {
      const verdict = evaluateGrant(grant(), context({ callers: [caller(APP_ROLE, daysAgo(31), ['Decrypt'])] }), NOW);
      expect(verdict).toMatchObject({ kind: 'revoke', reasons: ['stale-grant'] });
    });
  });

  describe('lets a key set its own maximum age with the tag kms-guard:grant-max-age-days', () => {
    it('keeps a 120-day-old grant on a key that allows 180 days', () => {
      const verdict = evaluateGrant(grant({ createdAt: daysAgo(120) }), context({ tags: { 'kms-guard:grant-max-age-days': '180' } }), NOW);
      expect(verdict).toMatchObject({ kind: 'keep', evidence: { maxAgeDays: 180, maxAgeSource: 'tag kms-guard:grant-max-age-days' } });
    });

    it('revokes a 45-day-old grant on a key that allows 30 days', () => {
      const verdict = evaluateGrant(grant({ createdAt: daysAgo(45) }), context({ tags: { 'kms-guard:grant-max-age-days': '30' } }), NOW);
      expect(verdict).toMatchObject({ kind: 'revoke', evidence: { maxAgeDays: 30, maxAgeSource: 'tag kms-guard:grant-max-age-days' } });
    });

    it('falls back to the policy, and says so, when the tag is not a positive whole number', () => {
      const verdict = evaluateGrant(grant({ createdAt: daysAgo(120) }), context({ tags: { 'kms-guard:grant-max-age-days': 'forever' } }), NOW);
      expect(verdict).toMatchObject({ kind: 'revoke', evidence: { maxAgeDays: 90, maxAgeSource: 'policy', ignoredMaxAgeTagValue: 'forever' } });
    });
  });

  describe('leaves keys managed by AWS alone', () => {
    it.each([
      ['an alias aws/*', { aliases: ['alias/aws/ebs'] }],
      ['KeyManager AWS', { keyManager: 'AWS' }],
    ])('skips a stale grant on a key with %s', (_label, key) => {
      expect(evaluateGrant(grant(), context(key), NOW)).toEqual({ kind: 'aws-managed-key' });
    });

    it('does not mistake a customer alias that merely contains "aws" for an AWS-managed one', () => {
      expect(evaluateGrant(grant(), context({ aliases: ['alias/my-aws/app'] }), NOW).kind).toBe('revoke');
    });
  });

  describe('treats retired and revoked grants as closed, never revoking them again', () => {
    it.each(['retired', 'revoked', 'gone'] as const)('reports a %s grant as closed', (status) => {
      const closed = grant({ status, name: 'kms-guard:ttl:1d', closedAt: daysAgo(5) });
      expect(evaluateGrant(closed, context(), NOW)).toEqual({ kind: 'closed', status });
    });
  });
});

describe('evaluateGrant judges a service-looking grant on its grantee', () => {
  const serviceLooking = (overrides: Partial<GrantRecord> = {}) =>
    grant({ retiringPrincipal: 'rds.eu-west-1.amazonaws.com', createdBy: 'arn:aws:iam::111122223333:role/Admin', createEventId: 'create-1', ...overrides });

  it('revokes it, unused, like any grant, and says why its retiring principal did not count', () => {
    const verdict = evaluateGrant(serviceLooking(), context(), NOW);
    expect(verdict).toMatchObject({ kind: 'revoke', reasons: ['stale-grant'], evidence: { supportingSignals: ['retiring principal rds.eu-west-1.amazonaws.com'] } });
    expect(verdict.kind === 'revoke' && verdict.evidence.explanation).toContain(
      "retiring principal rds.eu-west-1.amazonaws.com is chosen by whoever creates the grant, so it does not make this an AWS service's grant: the grantee and the creator decide",
    );
  });

  it('revokes one made service-looking by an aws:* constraint alone', () => {
    const constrained = grant({ createEventId: 'create-1', constraints: { encryptionContextSubset: { 'aws:lambda:FunctionArn': 'arn:aws:lambda:eu-west-1:111122223333:function:f' } } });
    expect(evaluateGrant(constrained, context(), NOW)).toMatchObject({ kind: 'revoke', reasons: ['stale-grant'] });
  });

  it('keeps it when its grantee used it', () => {
    expect(evaluateGrant(serviceLooking(), context({ callers: [caller(APP_ROLE, daysAgo(3), ['Decrypt'])] }), NOW).kind).toBe('keep');
  });

  it('keeps one whose creation the guard never saw (found by ListGrants): it may be a service’s', () => {
    const discovered = serviceLooking({ source: 'list-grants', createEventId: undefined, createdBy: undefined });
    expect(evaluateGrant(discovered, context(), NOW)).toMatchObject({ kind: 'keep', reasons: [], evidence: { possibleServiceGrant: true } });
  });

  it('still revokes one whose own name set a TTL that has passed', () => {
    const discovered = serviceLooking({ source: 'list-grants', createEventId: undefined, name: 'kms-guard:ttl:7d' });
    expect(evaluateGrant(discovered, context(), NOW)).toMatchObject({ kind: 'revoke', reasons: ['grant-ttl-expired'] });
  });
});

describe('evaluateGrant never calls a grant stale when the evidence cannot tell', () => {
  it.each([
    ['an operation no CloudTrail record of the key shows (Decapsulate)', ['Decrypt', 'Decapsulate']],
    ['no operations at all', []],
  ])('keeps an old unused grant allowing %s', (_label, operations) => {
    expect(evaluateGrant(grant({ operations }), context(), NOW)).toMatchObject({ kind: 'keep', evidence: { untrackedOperations: expect.any(Array) } });
  });
});

describe('evaluateGrant explains a revocation in words a reviewer can check', () => {
  it('names the creator, what the grantee may do, what was looked for and not found, and the age', () => {
    const created = grant({
      operations: ['Decrypt', 'GenerateDataKey'],
      name: 'batch-job-exports',
      createdBy: 'arn:aws:iam::111122223333:role/iac-deployer',
      createEventId: '0b0e7e2c-0000-4000-8000-000000000001',
      granteePrincipal: 'arn:aws:iam::111122223333:role/batch-job',
    });
    const batchJob = 'arn:aws:iam::111122223333:role/batch-job';
    const verdict = evaluateGrant(created, context({ callers: [caller(batchJob, daysAgo(95), ['Decrypt'])] }), NOW);
    expect(verdict.kind === 'revoke' && verdict.evidence.explanation).toEqual([
      `created by role/iac-deployer at ${daysAgo(200)} (CloudTrail CreateGrant 0b0e7e2c-0000-4000-8000-000000000001)`,
      'role/batch-job may Decrypt and GenerateDataKey on this key; name "batch-job-exports"',
      `no Decrypt or GenerateDataKey by role/batch-job on this key in 30 days (since ${daysAgo(30)}); the last on record was Decrypt at ${daysAgo(95)}`,
      '200 days old, past the 90-day limit (policy)',
    ]);
  });

  it('says who may have made a grant found by ListGrants, and what its TTL was', () => {
    const discovered = grant({ source: 'list-grants', name: 'ci/kms-guard:ttl:7d', issuingAccount: 'arn:aws:iam::444455556666:root', granteePrincipal: 'arn:aws:iam::444455556666:role/partner' });
    const verdict = evaluateGrant(discovered, context(), NOW);
    expect(verdict.kind === 'revoke' && verdict.evidence.explanation).toEqual([
      `created ${daysAgo(200)} from account 444455556666, found by ListGrants: kms-guard did not see its CreateGrant, so who made it is not known`,
      'role/partner of account 444455556666 may Decrypt and Encrypt on this key; name "ci/kms-guard:ttl:7d"',
      `its name sets a 7-day lifetime (kms-guard:ttl:7d), which ended at ${daysAgo(193)}`,
      `no Decrypt or Encrypt by role/partner of account 444455556666 on this key in 30 days (since ${daysAgo(30)}); none is on record`,
      '200 days old, past the 90-day limit (policy)',
    ]);
  });
});

describe('evaluateGrant, for any age, name and usage', () => {
  it('never revokes a grant an AWS service holds', async () => {
    const fc = await import('fast-check');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.constantFrom('ec2.eu-west-1.amazonaws.com', 'rds.amazonaws.com', 'lambda.amazonaws.com'),
        fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
        (ageDays, servicePrincipal, ttlDays) => {
          const serviceGrant = grant({
            createdAt: daysAgo(ageDays),
            granteePrincipal: servicePrincipal,
            ...(ttlDays === undefined ? {} : { name: `kms-guard:ttl:${ttlDays}d` }),
          });
          expect(evaluateGrant(serviceGrant, context(), NOW).kind).toBe('service-grant');
        },
      ),
    );
  });
});
