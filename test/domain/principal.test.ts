import { describe, expect, it } from 'vitest';
import { normalisePrincipal } from '../../lib/domain/principal.js';

describe('normalisePrincipal', () => {
  it('turns an assumed-role session into its role', () => {
    expect(normalisePrincipal('arn:aws:sts::111122223333:assumed-role/app/i-0abc')).toBe('arn:aws:iam::111122223333:role/app');
  });

  it('keeps the partition', () => {
    expect(normalisePrincipal('arn:aws-cn:sts::111122223333:assumed-role/app/s')).toBe('arn:aws-cn:iam::111122223333:role/app');
  });

  it('leaves other principals as they are', () => {
    expect(normalisePrincipal('arn:aws:iam::111122223333:user/Alice')).toBe('arn:aws:iam::111122223333:user/Alice');
  });
});
