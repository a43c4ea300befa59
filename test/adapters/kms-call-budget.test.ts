import { describe, expect, it } from 'vitest';
import { BudgetedLimiter, KmsCallBudget, KmsCallBudgetExhaustedError } from '../../lib/adapters/kms-call-budget.js';
import { KmsKeyDirectory } from '../../lib/adapters/kms-key-directory.js';
import { watchKmsThrottling } from '../../lib/adapters/kms-throttle-watch.js';
import { UNLIMITED } from '../../lib/adapters/rate-limiter.js';
import { kmsClientFor, startFakeKms } from '../support/fake-kms-server.js';

describe('the KMS evidence-call budget', () => {
  it('refuses evidence calls past its limit until reset, and never budgets a repair', async () => {
    const budget = new KmsCallBudget(2);
    const limiter = new BudgetedLimiter(UNLIMITED, budget);
    await limiter.acquire('DescribeKey');
    await limiter.acquire('ListGrants');

    await expect(limiter.acquire('ListAliases')).rejects.toBeInstanceOf(KmsCallBudgetExhaustedError);
    await expect(limiter.acquire('CancelKeyDeletion')).resolves.toBeUndefined();
    await expect(limiter.acquire('EnableKey')).resolves.toBeUndefined();
    expect(budget.used).toEqual({ spent: 2, refused: 1, limit: 2 });
    budget.reset();
    await expect(limiter.acquire('DescribeKey')).resolves.toBeUndefined();
  });

  it('rejects a budget that is not a positive whole number', () => {
    expect(() => new KmsCallBudget(0)).toThrow(RangeError);
  });
});

describe('the KMS throttle watch', () => {
  it('reports every throttled attempt with the API name, through the real SDK and its retries', async () => {
    const fake = await startFakeKms();
    const throttled: string[] = [];
    const kms = watchKmsThrottling(kmsClientFor(fake, { maxAttempts: 3 }), (operation, errorName) => throttled.push(`${operation}:${errorName}`));
    try {
      const keyArn = fake.createKey();
      fake.failNext('ListGrants', 2, { status: 400, type: 'ThrottlingException' });
      fake.failNext('DescribeKey', 1, { status: 400, type: 'AccessDeniedException' });

      const grants = await new KmsKeyDirectory(kms).listGrants(keyArn);
      await expect(new KmsKeyDirectory(kms).keyState(keyArn)).rejects.toThrow();

      expect(grants).toEqual([]);
      expect(throttled).toEqual(['ListGrants:ThrottlingException', 'ListGrants:ThrottlingException']);
    } finally {
      kms.destroy();
      await fake.close();
    }
  });
});
