import { describe, expect, it } from 'vitest';
import { identify, matchGrantee } from '../../../lib/domain/grants/principal.js';

describe('identify', () => {
  it.each([
    ['arn:aws:iam::111122223333:role/service-role/app', { kind: 'role', accountId: '111122223333', name: 'app' }],
    ['arn:aws:sts::111122223333:assumed-role/aws:ec2-infrastructure/i-0c9d', { kind: 'role', accountId: '111122223333', name: 'aws:ec2-infrastructure' }],
    ['arn:aws:iam::111122223333:user/Alice', { kind: 'user', accountId: '111122223333', name: 'Alice' }],
    ['arn:aws:iam::444455556666:root', { kind: 'account', accountId: '444455556666' }],
    ['444455556666', { kind: 'account', accountId: '444455556666' }],
    ['ec2.us-east-1.amazonaws.com', { kind: 'service', service: 'ec2.us-east-1.amazonaws.com' }],
    ['EX_PRINCIPAL_ID', { kind: 'unknown' }],
    ['unknown', { kind: 'unknown' }],
  ])('reads %s', (principal, identity) => {
    expect(identify(principal)).toEqual(identity);
  });
});

describe('matchGrantee', () => {
  it('matches a role grantee written with a path to the caller role without one', () => {
    expect(matchGrantee('arn:aws:iam::111122223333:role/team/app', 'arn:aws:iam::111122223333:role/app')).toBe('yes');
  });

  it('does not match the same role name in another account', () => {
    expect(matchGrantee('arn:aws:iam::111122223333:role/app', 'arn:aws:iam::444455556666:role/app')).toBe('no');
  });

  it('does not match a user to a role of the same name', () => {
    expect(matchGrantee('arn:aws:iam::111122223333:user/app', 'arn:aws:iam::111122223333:role/app')).toBe('no');
  });

  it('matches any principal of an account granted as a whole', () => {
    expect(matchGrantee('arn:aws:iam::444455556666:root', 'arn:aws:iam::444455556666:role/consumer')).toBe('yes');
  });

  it('is unsure when the grantee is not an ARN it can read', () => {
    expect(matchGrantee('EX_PRINCIPAL_ID', 'arn:aws:iam::111122223333:role/app')).toBe('unsure');
  });

  it('is unsure when the caller is known only by the grantee’s account (another account’s call, logged as AWSAccount)', () => {
    expect(matchGrantee('arn:aws:iam::444455556666:role/partner-app', 'arn:aws:iam::444455556666:root')).toBe('unsure');
    expect(matchGrantee('arn:aws:iam::444455556666:user/partner', 'arn:aws:iam::444455556666:root')).toBe('unsure');
  });

  it('does not match a caller known only by another account', () => {
    expect(matchGrantee('arn:aws:iam::444455556666:role/partner-app', 'arn:aws:iam::777788889999:root')).toBe('no');
  });

  it('is unsure when the caller is unknown', () => {
    expect(matchGrantee('arn:aws:iam::111122223333:role/app', 'unknown')).toBe('unsure');
  });
});
