import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.js';
import { DEFAULT_SETTINGS, guardRegions, isOrgMode, settingsFromContext } from '../../infra/settings.js';

const settingsWith = (context: Record<string, unknown>) => settingsFromContext(new App({ context }).node);

describe('deployment settings', () => {
  it('default to a dry-run guard with the policy defaults of lib/config.ts', () => {
    const settings = settingsWith({});
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(settings).toMatchObject({ mode: 'dry-run', recentUseWindowDays: 90, observationPeriodDays: 14, grantMaxAgeDays: 90, grantRecentUseDays: 30 });
    expect(isOrgMode(settings)).toBe(false);
  });

  it('read strings from `-c key=value` and typed values from cdk.json', () => {
    const settings = settingsWith({
      mode: 'enforce',
      recentUseWindowDays: '30',
      observationPeriodDays: 7,
      exemptPrincipals: 'arn:aws:iam::111122223333:role/Deploy, arn:aws:iam::111122223333:role/Break-glass',
      memberAccounts: ['444455556666'],
      slackSecretName: 'team/kms-alerts',
    });
    expect(settings).toMatchObject({
      mode: 'enforce',
      recentUseWindowDays: 30,
      observationPeriodDays: 7,
      exemptPrincipals: ['arn:aws:iam::111122223333:role/Deploy', 'arn:aws:iam::111122223333:role/Break-glass'],
      memberAccounts: ['444455556666'],
      slackSecretName: 'team/kms-alerts',
    });
    expect(isOrgMode(settings)).toBe(true);
  });

  it('let props override the context', () => {
    const settings = settingsFromContext(new App({ context: { mode: 'enforce' } }).node, { mode: 'dry-run', grantMaxAgeDays: 30 });
    expect(settings.mode).toBe('dry-run');
    expect(settings.grantMaxAgeDays).toBe(30);
  });

  it.each([
    [{ mode: 'enforcing' }, /"mode" must be "enforce" or "dry-run"/],
    [{ recentUseWindowDays: '0' }, /"recentUseWindowDays" must be a positive whole number/],
    [{ grantMaxAgeDays: 'ninety' }, /"grantMaxAgeDays" must be a positive whole number/],
    [{ organizationId: 'org-123' }, /"organizationId" must look like o-/],
    [{ memberAccounts: '1234' }, /"memberAccounts" must hold 12-digit account ids/],
    [{ remediationRoleName: 'has space' }, /not a valid IAM role name/],
    [{ remediationRoleName: 'r'.repeat(56) }, /at most 55 characters \(the duty is appended\)/],
    [{ deletionGuardReservedConcurrency: '2' }, /"deletionGuardReservedConcurrency" must be 0 \(reserve none\) or a whole number from 3 to 1000/],
    [{ sweepKmsBudgetPercent: '0' }, /"sweepKmsBudgetPercent" must be a whole percentage from 1 to 100/],
    [{ exemptPrincipals: [1, 2] }, /"exemptPrincipals" must be a list of strings/],
    [{ usageHeartbeatHours: '169' }, /"usageHeartbeatHours" must be a whole number of hours from 1 to 168/],
  ])('reject %j naming the key', (context, message) => {
    expect(() => settingsWith(context)).toThrow(ConfigError);
    expect(() => settingsWith(context)).toThrow(message);
  });
});

describe('guardRegions (the member roles trust the guard in each)', () => {
  it('reads a comma-separated list and rejects what is not a Region name', () => {
    expect(guardRegions('eu-west-1, us-gov-west-1')).toEqual(['eu-west-1', 'us-gov-west-1']);
    expect(guardRegions(undefined)).toEqual([]);
    expect(() => guardRegions('eu-west-1,Ireland')).toThrow(/"guardRegions" must hold AWS Region names such as eu-west-1, got "Ireland"/);
  });
});
