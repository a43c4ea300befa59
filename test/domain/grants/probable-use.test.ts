import { describe, expect, it } from 'vitest';
import { findProbableUse } from '../../../lib/domain/grants/probable-use.js';
import type { CallerUsage } from '../../../lib/domain/model.js';

const SINCE = '2026-05-01T00:00:00.000Z';
const ROLE = 'arn:aws:iam::111122223333:role/app';
const caller = (principal: string, lastAt: string, operations: string[], service?: string): CallerUsage => ({
  id: service === undefined ? principal : `${principal} via ${service}`,
  principal,
  ...(service === undefined ? {} : { service }),
  count: 3,
  lastAt,
  operations,
});
const grant = { granteePrincipal: ROLE, operations: ['Decrypt', 'RetireGrant'] };

describe('findProbableUse', () => {
  it('counts a use at the very start of the window', () => {
    const use = findProbableUse(grant, { callers: [caller(ROLE, SINCE, ['Decrypt'])], lastUsedByOperation: {} }, SINCE);
    expect(use).toEqual({ at: SINCE, principal: ROLE, operations: ['Decrypt'], match: 'grantee' });
  });

  it('picks the latest of several probable uses and keeps the service the grantee acted through', () => {
    const callers = [caller(ROLE, '2026-05-03T00:00:00.000Z', ['Decrypt']), caller(ROLE, '2026-05-20T00:00:00.000Z', ['Decrypt'], 's3')];
    expect(findProbableUse(grant, { callers, lastUsedByOperation: {} }, SINCE)).toMatchObject({ at: '2026-05-20T00:00:00.000Z', service: 's3' });
  });

  it('rules a use out when the key itself last used that operation before the window', () => {
    // The caller was active in the window, but only for Encrypt; its Decrypt must predate the window.
    const usage = {
      callers: [caller(ROLE, '2026-05-20T00:00:00.000Z', ['Decrypt', 'Encrypt'])],
      lastUsedByOperation: { Decrypt: '2026-04-02T00:00:00.000Z', Encrypt: '2026-05-20T00:00:00.000Z' },
    };
    expect(findProbableUse(grant, usage, SINCE)).toBeUndefined();
  });

  it('counts an unreadable grantee used by any caller of its operations (the safe side)', () => {
    const usage = { callers: [caller('arn:aws:iam::111122223333:role/other', '2026-05-20T00:00:00.000Z', ['Decrypt'])], lastUsedByOperation: {} };
    expect(findProbableUse({ granteePrincipal: 'EX_PRINCIPAL_ID', operations: ['Decrypt'] }, usage, SINCE)).toMatchObject({ match: 'unsure' });
  });

  it('counts a caller listed without its operations (the safe side)', () => {
    const usage = { callers: [caller(ROLE, '2026-05-20T00:00:00.000Z', [])], lastUsedByOperation: {} };
    expect(findProbableUse(grant, usage, SINCE)).toMatchObject({ operations: ['Decrypt'] });
  });

  it('finds a ReEncryptFrom or ReEncryptTo grant used through CloudTrail’s ReEncrypt', () => {
    const usage = { callers: [caller(ROLE, '2026-05-20T00:00:00.000Z', ['ReEncrypt'])], lastUsedByOperation: {} };
    for (const operation of ['ReEncryptFrom', 'ReEncryptTo']) {
      expect(findProbableUse({ granteePrincipal: ROLE, operations: [operation] }, usage, SINCE)).toMatchObject({ operations: ['ReEncrypt'] });
    }
  });

  it('finds DescribeKey, CreateGrant and RetireGrant among the non-use calls, never among the uses', () => {
    const nonUseCall = (operation: string, lastAt: string) => ({ principal: ROLE, operation, lastAt, lastEventId: `e-${operation}` });
    const usage = {
      callers: [caller(ROLE, '2026-05-25T00:00:00.000Z', ['Decrypt'])],
      lastUsedByOperation: {},
      nonUseCalls: [nonUseCall('DescribeKey', '2026-05-20T00:00:00.000Z'), nonUseCall('CreateGrant', '2026-04-01T00:00:00.000Z')],
    };
    expect(findProbableUse({ granteePrincipal: ROLE, operations: ['DescribeKey'] }, usage, SINCE)).toEqual({
      at: '2026-05-20T00:00:00.000Z',
      principal: ROLE,
      operations: ['DescribeKey'],
      match: 'grantee',
    });
    expect(findProbableUse({ granteePrincipal: ROLE, operations: ['CreateGrant', 'RetireGrant'] }, usage, SINCE)).toBeUndefined();
    expect(findProbableUse({ granteePrincipal: ROLE, operations: ['CreateGrant'] }, usage)).toMatchObject({ at: '2026-04-01T00:00:00.000Z' });
  });

  it('counts a call known only by the grantee’s account (cross-account, AWSAccount) as unsure', () => {
    const usage = { callers: [caller('arn:aws:iam::444455556666:root', '2026-05-20T00:00:00.000Z', ['Decrypt'])], lastUsedByOperation: {} };
    expect(findProbableUse({ granteePrincipal: 'arn:aws:iam::444455556666:role/partner', operations: ['Decrypt'] }, usage, SINCE)).toMatchObject({ match: 'unsure' });
  });
});
