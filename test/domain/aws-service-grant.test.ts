/** The one definition of an AWS service's grant: decided by the grantee and by how the grant was created. */
import { describe, expect, it } from 'vitest';
import { classifyGrant, isEc2Infrastructure, serviceOfLinkedRole } from '../../lib/domain/aws-service-grant.js';
import type { GrantRecord } from '../../lib/domain/model.js';

const grant = (overrides: Partial<GrantRecord> = {}): GrantRecord => ({
  grantId: 'g',
  keyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  granteePrincipal: 'arn:aws:iam::111122223333:role/app',
  operations: ['Decrypt'],
  createdAt: '2026-01-01T00:00:00.000Z',
  createEventId: 'create-event',
  createdBy: 'arn:aws:iam::111122223333:role/app',
  status: 'active',
  source: 'cloudtrail',
  ...overrides,
});

describe('classifyGrant', () => {
  describe('decides on the grantee', () => {
    it.each([
      ['a service principal', 'rds.us-east-1.amazonaws.com', 'is an AWS service'],
      ['a China service principal', 'dynamodb.cn-north-1.amazonaws.com.cn', 'is an AWS service'],
      ['EC2’s infrastructure role', 'arn:aws:iam::111122223333:role/aws:ec2-infrastructure', "is EC2's aws:ec2-infrastructure role"],
      ['a session of EC2’s infrastructure role', 'arn:aws:sts::111122223333:assumed-role/aws:ec2-infrastructure/i-0c9d812c0cfa2790f', "is EC2's aws:ec2-infrastructure role"],
      ['EC2’s infrastructure role as a principal id (2017 record)', '123456789012:aws:ec2-infrastructure:i-81e2f56c', "is EC2's aws:ec2-infrastructure role"],
      [
        'Auto Scaling’s service-linked role',
        'arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
        'is a service-linked role of autoscaling.amazonaws.com',
      ],
      [
        'a service-linked role with a custom suffix',
        'arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_fleet',
        'is a service-linked role of autoscaling.amazonaws.com',
      ],
    ])('a service grant when the grantee is %s', (_label, granteePrincipal, words) => {
      const verdict = classifyGrant(grant({ granteePrincipal }));
      expect(verdict).toMatchObject({ serviceGrant: true, possibleServiceGrant: false });
      expect(verdict.evidence).toEqual([`grantee ${granteePrincipal} ${words}`]);
    });

    it.each([
      ['a customer role whose path contains aws:ec2-infrastructure', 'arn:aws:iam::111122223333:role/aws:ec2-infrastructure/app'],
      ['a customer role named like a service-linked role, outside its path', 'arn:aws:iam::111122223333:role/AWSServiceRoleForAutoScaling'],
      ['a session of a service-linked role (sessions carry no path)', 'arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling'],
      ['a host that only ends like a service', 'evil.amazonaws.com.example.org'],
      ['an account root', 'arn:aws:iam::111122223333:root'],
    ])('not when the grantee is %s', (_label, granteePrincipal) => {
      expect(classifyGrant(grant({ granteePrincipal })).serviceGrant).toBe(false);
    });
  });

  describe('decides on how the grant was created', () => {
    it('a service grant when CloudTrail says a service made the CreateGrant', () => {
      expect(classifyGrant(grant({ invokedBy: 'ec2-frontend-api.amazonaws.com' }))).toMatchObject({
        serviceGrant: true,
        evidence: ['created by ec2-frontend-api.amazonaws.com'],
      });
    });

    it('not when it was the console acting for a person', () => {
      expect(classifyGrant(grant({ invokedBy: 'signin.amazonaws.com' })).serviceGrant).toBe(false);
    });

    it('not decided but kept possible when CloudTrail says "AWS Internal"', () => {
      expect(classifyGrant(grant({ invokedBy: 'AWS Internal' }))).toMatchObject({ serviceGrant: false, possibleServiceGrant: true });
    });
  });

  describe('never decides on what the grant’s creator chooses', () => {
    const looksLikeAService = {
      retiringPrincipal: 'ec2.us-east-1.amazonaws.com',
      constraints: { encryptionContextSubset: { 'aws:ebs:id': 'vol-0894f908458cca170' }, encryptionContextEquals: { 'aws:rds:db-id': 'db-X' } },
    };

    it('reports a service retiring principal and aws:* constraints as supporting signals only', () => {
      expect(classifyGrant(grant(looksLikeAService))).toEqual({
        serviceGrant: false,
        evidence: [],
        supportingSignals: ['retiring principal ec2.us-east-1.amazonaws.com', 'encryption context constraint aws:ebs:id', 'encryption context constraint aws:rds:db-id'],
        possibleServiceGrant: false,
      });
    });

    it('keeps them possible only for a grant whose creation the guard never saw (found by ListGrants)', () => {
      const discovered = grant({ ...looksLikeAService, source: 'list-grants', createEventId: undefined, createdBy: undefined });
      expect(classifyGrant(discovered)).toMatchObject({ serviceGrant: false, possibleServiceGrant: true });
    });

    it('a grant found by ListGrants without such signals is not possibly a service’s', () => {
      const discovered = grant({ source: 'list-grants', createEventId: undefined, createdBy: undefined });
      expect(classifyGrant(discovered)).toMatchObject({ serviceGrant: false, possibleServiceGrant: false, supportingSignals: [] });
    });
  });
});

describe('isEc2Infrastructure and serviceOfLinkedRole', () => {
  it('read the principal, not a substring of it', () => {
    expect(isEc2Infrastructure(' arn:aws:iam::111122223333:role/aws:ec2-infrastructure ')).toBe(true);
    expect(isEc2Infrastructure('arn:aws:iam::111122223333:user/aws:ec2-infrastructure')).toBe(false);
    expect(serviceOfLinkedRole('arn:aws-us-gov:iam::111122223333:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing')).toBe(
      'elasticloadbalancing.amazonaws.com',
    );
    expect(serviceOfLinkedRole('arn:aws:iam::111122223333:role/aws-service-role/not-a-service/x')).toBeUndefined();
  });
});
