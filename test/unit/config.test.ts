import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, loadConfig } from '../../lib/config.js';
import { ConfigError } from '../../lib/errors.js';

const ENV = { KMS_GUARD_TABLE: 'kms-guard', KMS_GUARD_ACCOUNT_ID: '111122223333', AWS_REGION: 'eu-west-1' };

describe('loadConfig', () => {
  it('defaults to dry-run and the documented policy', () => {
    const config = loadConfig(ENV);

    expect(config.slackAllowedHosts).toEqual(['hooks.slack.com']);
    expect(config).toMatchObject({ mode: 'dry-run', tableName: 'kms-guard', accountId: '111122223333', region: 'eu-west-1', memberAccountIds: [] });
    expect(config.policy).toEqual(DEFAULT_POLICY);
    expect(config.eventBusName).toBeUndefined();
  });

  it('reads every setting the CDK stack passes', () => {
    const config = loadConfig({
      ...ENV,
      KMS_GUARD_MODE: 'enforce',
      KMS_GUARD_EVENT_BUS: 'kms-guard',
      KMS_GUARD_SLACK_SECRET: 'kms-guard/slack-webhook',
      KMS_GUARD_SLACK_ALLOWED_HOSTS: 'hooks.slack.com, chat-gateway.example.com',
      KMS_GUARD_REMEDIATION_ROLE: 'kms-guard-remediation',
      KMS_GUARD_MEMBER_ACCOUNTS: '444455556666, 777788889999',
      KMS_GUARD_RECENT_USE_DAYS: '30',
      KMS_GUARD_OBSERVATION_DAYS: '7',
      KMS_GUARD_EXEMPT_PRINCIPALS: 'arn:aws:iam::111122223333:role/Deploy,',
      KMS_GUARD_GRANT_MAX_AGE_DAYS: '60',
      KMS_GUARD_EXEMPT_TAG_MIN_AGE_HOURS: '72',
      KMS_GUARD_GRANT_RECENT_USE_DAYS: '10',
    });

    expect(config).toMatchObject({
      mode: 'enforce',
      eventBusName: 'kms-guard',
      slackSecretName: 'kms-guard/slack-webhook',
      slackAllowedHosts: ['hooks.slack.com', 'chat-gateway.example.com'],
      remediationRoleName: 'kms-guard-remediation',
      memberAccountIds: ['444455556666', '777788889999'],
      policy: {
        recentUseWindowDays: 30,
        observationPeriodDays: 7,
        exemptPrincipals: ['arn:aws:iam::111122223333:role/Deploy'],
        grantMaxAgeDays: 60,
        grantRecentUseDays: 10,
        exemptTagMinAgeHours: 72,
      },
    });
  });

  it.each([
    [{ KMS_GUARD_TABLE: undefined }, /KMS_GUARD_TABLE is not set/],
    [{ KMS_GUARD_MODE: 'on' }, /KMS_GUARD_MODE must be "enforce" or "dry-run", got "on"/],
    [{ KMS_GUARD_ACCOUNT_ID: '1234' }, /KMS_GUARD_ACCOUNT_ID must be a 12-digit account id/],
    [{ AWS_REGION: undefined }, /AWS_REGION is not set/],
    [{ KMS_GUARD_MEMBER_ACCOUNTS: '444455556666,abc' }, /KMS_GUARD_MEMBER_ACCOUNTS holds "abc"/],
    [{ KMS_GUARD_MEMBER_ACCOUNTS: '444455556666' }, /KMS_GUARD_MEMBER_ACCOUNTS needs KMS_GUARD_REMEDIATION_ROLE/],
    [{ KMS_GUARD_RECENT_USE_DAYS: '-3' }, /KMS_GUARD_RECENT_USE_DAYS must be a positive whole number of days, got "-3"/],
    [{ KMS_GUARD_SWEEP_KMS_BUDGET_PERCENT: '150' }, /KMS_GUARD_SWEEP_KMS_BUDGET_PERCENT must be a percentage above 0 and at most 100, got "150"/],
    [{ KMS_GUARD_SWEEP_KMS_BUDGET_PERCENT: 'lots' }, /KMS_GUARD_SWEEP_KMS_BUDGET_PERCENT must be a percentage/],
  ])('fails at start-up naming the setting when %j', (override, message) => {
    expect(() => loadConfig({ ...ENV, ...override })).toThrow(ConfigError);
    expect(() => loadConfig({ ...ENV, ...override })).toThrow(message);
  });

  it('reads the sweep settings: queue, organization listing and the KMS budget (default 20 %)', () => {
    expect(loadConfig(ENV)).toMatchObject({ listOrganizationAccounts: false, sweepKmsBudgetPercent: 20 });
    expect(
      loadConfig({ ...ENV, KMS_GUARD_SWEEP_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/q.fifo', KMS_GUARD_LIST_ORGANIZATION_ACCOUNTS: 'true', KMS_GUARD_SWEEP_KMS_BUDGET_PERCENT: '5' }),
    ).toMatchObject({ sweepQueueUrl: 'https://sqs.us-east-1.amazonaws.com/1/q.fifo', listOrganizationAccounts: true, sweepKmsBudgetPercent: 5 });
  });
});
