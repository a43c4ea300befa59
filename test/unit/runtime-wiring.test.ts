import { afterEach, describe, expect, it, vi } from 'vitest';

describe('the production runtime', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('builds every adapter from the environment at cold start, calling no AWS service', async () => {
    vi.stubEnv('KMS_GUARD_TABLE', 'kms-guard');
    vi.stubEnv('KMS_GUARD_ACCOUNT_ID', '111122223333');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('KMS_GUARD_EVENT_BUS', 'kms-guard');
    vi.stubEnv('KMS_GUARD_MEMBER_ACCOUNTS', '444455556666');
    vi.stubEnv('KMS_GUARD_REMEDIATION_ROLE', 'kms-guard-remediation');
    const { productionRuntime } = await import('../../lib/runtime.js');

    const runtime = productionRuntime();

    expect(runtime.config).toMatchObject({ tableName: 'kms-guard', region: 'eu-west-1', mode: 'dry-run' });
    expect(runtime.keyDirectories()).toHaveLength(2);
    expect(productionRuntime()).toBe(runtime);
    await expect(runtime.slack.post({ text: 'x', blocks: [] })).rejects.toThrow(/KMS_GUARD_SLACK_SECRET is not set/);
  });

  it('fails the cold start with the missing setting named', async () => {
    vi.stubEnv('KMS_GUARD_TABLE', '');
    const { productionRuntime } = await import('../../lib/runtime.js');

    // resetModules gives this import its own copy of lib/errors.js, so the class is checked by name.
    expect(() => productionRuntime()).toThrow(expect.objectContaining({ name: 'ConfigError', message: 'KMS_GUARD_TABLE is not set' }));
  });
});
