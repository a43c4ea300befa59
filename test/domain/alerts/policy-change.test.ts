import { describe, expect, it } from 'vitest';
import { evaluatePolicyChange } from '../../../lib/domain/alerts/policy-change.js';
import { readKeyPolicy } from '../../../lib/domain/alerts/key-policy.js';
import { policyLockout } from '../../../lib/domain/alerts/policy-lockout.js';
import { publicKeyPolicy } from '../../../lib/domain/alerts/public-key-policy.js';
import {
  CREATE_KEY_CLOUDHSM,
  CREATE_KEY_DEFAULT,
  CREATE_KEY_XKS,
  PUBLIC_POLICY,
  PUT_KEY_POLICY,
  RESTRICTED_POLICY,
  sampleEvent,
  sampleWith,
} from './samples.js';

const ROOT = 'arn:aws:iam::111122223333:root';
const policyOf = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const admin = (principal: unknown = { AWS: ROOT }) => ({ Effect: 'Allow', Principal: principal, Action: 'kms:*', Resource: '*' });
const putPolicy = (policy: unknown, extra: Record<string, unknown> = {}) =>
  sampleWith(PUT_KEY_POLICY, (record) => {
    record.requestParameters = { ...(record.requestParameters as object), policy, ...extra };
  });
const reasonsOf = (policy: unknown, extra?: Record<string, unknown>) => evaluatePolicyChange(putPolicy(policy, extra)).map((finding) => finding.reason);
const statementsOf = (policy: string) => {
  const read = readKeyPolicy(policy);
  if (read.kind !== 'document') throw new Error(read.kind);
  return read.statements;
};

describe('the policy rules, on real PutKeyPolicy and CreateKey records', () => {
  it('raise nothing for the default key policy AWS documents (ct-put-key-policy)', () => {
    expect(evaluatePolicyChange(sampleEvent(PUT_KEY_POLICY))).toEqual([]);
  });

  it('raise nothing for CreateKey without a policy, which gets the default key policy', () => {
    for (const file of [CREATE_KEY_DEFAULT, CREATE_KEY_CLOUDHSM, CREATE_KEY_XKS]) {
      expect(evaluatePolicyChange(sampleEvent(file)), file).toEqual([]);
    }
  });

  it('raise nothing for the restricted policy whose wildcard principals carry conditions', () => {
    expect(evaluatePolicyChange(sampleEvent(RESTRICTED_POLICY))).toEqual([]);
  });

  it('flag a policy given as an object that allows Principal "*" unconditionally, and lacks the root statement', () => {
    const findings = evaluatePolicyChange(sampleEvent(PUBLIC_POLICY));
    expect(findings.map((finding) => finding.reason)).toEqual(['policy-lockout', 'public-key-policy']);
    expect(findings[1]?.evidence).toEqual({ publicStatements: [{ statement: '#0', actions: ['kms:Decrypt'] }] });
  });

  it('ignore a failed PutKeyPolicy: the policy did not change', () => {
    const failed = sampleWith(PUT_KEY_POLICY, (record) => {
      record.errorCode = 'MalformedPolicyDocumentException';
      record.errorMessage = 'The new key policy will not allow you to update the key policy in the future.';
      record.requestParameters = { ...(record.requestParameters as object), policy: policyOf({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }) };
    });
    expect(evaluatePolicyChange(failed)).toEqual([]);
  });
});

describe('policy-lockout', () => {
  it('passes when the root statement names the account as an ARN, a bare id, or inside a list', () => {
    for (const principal of [{ AWS: ROOT }, { AWS: '111122223333' }, { AWS: ['arn:aws:iam::111122223333:role/Admin', ROOT] }]) {
      expect(policyLockout(statementsOf(policyOf(admin(principal))), '111122223333').status).toBe('COMPLIANT');
    }
  });

  it('passes with Action "*" and a lower-case action list', () => {
    const statements = statementsOf(policyOf({ ...admin(), Action: ['kms:Encrypt', 'KMS:*'] }));
    expect(policyLockout(statements, '111122223333').status).toBe('COMPLIANT');
  });

  it('fails when only a role administers the key', () => {
    expect(reasonsOf(policyOf(admin({ AWS: 'arn:aws:iam::111122223333:role/Admin' })))).toEqual(['policy-lockout']);
  });

  it('fails when the root statement is for another account', () => {
    expect(reasonsOf(policyOf(admin({ AWS: 'arn:aws:iam::444455556666:root' })))).toEqual(['policy-lockout']);
  });

  it('fails when the root statement allows less than kms:*, or on a narrower resource, or under a condition', () => {
    expect(reasonsOf(policyOf({ ...admin(), Action: ['kms:Describe*', 'kms:Put*'] }))).toEqual(['policy-lockout']);
    expect(reasonsOf(policyOf({ ...admin(), Resource: 'arn:aws:kms:us-west-2:111122223333:key/other' }))).toEqual(['policy-lockout']);
    expect(reasonsOf(policyOf({ ...admin(), Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }))).toEqual(['policy-lockout']);
  });

  it('fails when an unconditional Deny on kms:PutKeyPolicy overrides the root statement, and names it', () => {
    const findings = evaluatePolicyChange(
      putPolicy(policyOf(admin(), { Sid: 'NoPolicyChanges', Effect: 'Deny', Principal: '*', Action: 'kms:Put*', Resource: '*' })),
    );
    expect(findings.map((finding) => finding.reason)).toEqual(['policy-lockout']);
    expect(findings[0]?.evidence).toMatchObject({ overriddenBy: ['NoPolicyChanges'] });
  });

  it.each([
    ['Deny NotPrincipal Admin kms:*', { Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:role/Admin' }, Action: 'kms:*', Resource: '*' }],
    ['Deny Principal * NotAction kms:Decrypt', { Effect: 'Deny', Principal: '*', NotAction: ['kms:Decrypt', 'kms:Encrypt'], Resource: '*' }],
    ['Deny NotPrincipal Admin NotAction kms:Decrypt', { Effect: 'Deny', NotPrincipal: { AWS: ['arn:aws:iam::111122223333:role/Admin'] }, NotAction: 'kms:Decrypt', Resource: '*' }],
    ['Deny the account kms:PutKeyPolicy with NotResource on another ARN', { Effect: 'Deny', Principal: { AWS: '111122223333' }, Action: 'kms:PutKeyPolicy', NotResource: 'arn:aws:kms:us-west-2:111122223333:key/other' }],
  ])('fails when %s overrides the root statement', (_what, deny) => {
    const findings = evaluatePolicyChange(putPolicy(policyOf(admin(), { Sid: 'TheDeny', ...deny })));

    expect(findings.map((finding) => finding.reason)).toEqual(['policy-lockout']);
    expect(findings[0]?.evidence).toMatchObject({ overriddenBy: ['TheDeny'] });
  });

  it.each([
    ['NotAction leaves kms:PutKeyPolicy out', { Effect: 'Deny', Principal: '*', NotAction: 'kms:Put*', Resource: '*' }],
    ['NotPrincipal excepts the account', { Effect: 'Deny', NotPrincipal: { AWS: [ROOT, 'arn:aws:iam::111122223333:role/Admin'] }, Action: 'kms:*', Resource: '*' }],
    ['NotResource excludes the key itself', { Effect: 'Deny', Principal: '*', Action: 'kms:*', NotResource: '*' }],
  ])('passes when the Deny cannot reach the administrator: %s', (_what, deny) => {
    expect(reasonsOf(policyOf(admin(), deny))).toEqual([]);
  });

  it('passes when the Deny is conditional (it may not apply to the administrator)', () => {
    const deny = { Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } } };
    expect(reasonsOf(policyOf(admin(), deny))).toEqual([]);
  });
});

describe('public-key-policy', () => {
  it('fails for Principal {"AWS": "*"} and {"AWS": ["*"]} without a Condition', () => {
    for (const principal of [{ AWS: '*' }, { AWS: ['*'] }, '*']) {
      const statements = statementsOf(policyOf(admin(), { Effect: 'Allow', Principal: principal, Action: 'kms:Decrypt', Resource: '*' }));
      expect(publicKeyPolicy(statements).status).toBe('NON_COMPLIANT');
    }
  });

  it('passes for a wildcard principal with a Condition, and for a wildcard Deny', () => {
    const conditional = { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } } };
    const deny = { Effect: 'Deny', Principal: '*', Action: 'kms:ScheduleKeyDeletion', Resource: '*' };
    expect(publicKeyPolicy(statementsOf(policyOf(admin(), conditional, deny))).status).toBe('COMPLIANT');
  });
});

describe('lockout-check-bypassed', () => {
  it('fails when bypassPolicyLockoutSafetyCheck is true, even with a good policy', () => {
    expect(reasonsOf(policyOf(admin()), { bypassPolicyLockoutSafetyCheck: true })).toEqual(['lockout-check-bypassed']);
  });

  it('passes when it is false, as in every AWS sample', () => {
    expect(reasonsOf(policyOf(admin()), { bypassPolicyLockoutSafetyCheck: false })).toEqual([]);
  });

  it('is raised on CreateKey too, next to the lockout it allowed', () => {
    const event = sampleWith(CREATE_KEY_DEFAULT, (record) => {
      record.requestParameters = { ...(record.requestParameters as object), bypassPolicyLockoutSafetyCheck: true, policy: policyOf(admin({ AWS: 'arn:aws:iam::111122223333:role/Only' })) };
    });
    expect(evaluatePolicyChange(event).map((finding) => finding.reason)).toEqual(['policy-lockout', 'lockout-check-bypassed']);
  });
});

describe('policy-unreadable', () => {
  it('is raised for a policy that is not JSON, not an object, or has no Statement', () => {
    expect(reasonsOf('{"Version": "2012-10-17", "Statement": [')).toEqual(['policy-unreadable']);
    expect(reasonsOf('"just a string"')).toEqual(['policy-unreadable']);
    expect(reasonsOf(JSON.stringify({ Version: '2012-10-17' }))).toEqual(['policy-unreadable']);
  });

  it('says what is wrong', () => {
    const [finding] = evaluatePolicyChange(putPolicy('not json'));
    expect(String(finding?.evidence.problem)).toMatch(/not valid JSON/);
  });
});
