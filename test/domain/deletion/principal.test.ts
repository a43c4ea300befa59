import { describe, expect, it } from 'vitest';
import { principalKey, samePrincipal } from '../../../lib/domain/deletion/principal.js';

describe('samePrincipal', () => {
  it('matches an assumed-role session to its role, whatever the role path', () => {
    expect(samePrincipal('arn:aws:sts::111122223333:assumed-role/deployer/session-1', 'arn:aws:iam::111122223333:role/ci/deployer')).toBe(true);
  });

  it('tells roles of the same name in different accounts apart', () => {
    expect(samePrincipal('arn:aws:iam::111122223333:role/deployer', 'arn:aws:iam::444455556666:role/deployer')).toBe(false);
  });

  it('reads a bare account id as that account root', () => {
    expect(principalKey('111122223333')).toBe('arn:aws:iam::111122223333:root');
    expect(samePrincipal('111122223333', 'arn:aws:iam::111122223333:root')).toBe(true);
  });

  it('compares users exactly', () => {
    expect(samePrincipal('arn:aws:iam::111122223333:user/Alice', 'arn:aws:iam::111122223333:user/Bob')).toBe(false);
  });
});
