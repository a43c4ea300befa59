import { describe, expect, it } from 'vitest';
import { applyGrantEvent, grantChange } from '../../lib/domain/grant-ledger.js';
import type { KmsEvent } from '../../lib/domain/kms-event.js';
import type { GrantRecord } from '../../lib/domain/model.js';
import { ADMIN, EBS, failed, keyArn, kmsEvent } from './usage-test-events.js';

const KEY = keyArn('a');
const GRANT = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';

const apply = (events: readonly KmsEvent[]): GrantRecord | undefined =>
  events.reduce<GrantRecord | undefined>((grant, event) => applyGrantEvent(grant, event), undefined);

const createGrant = (at: string) =>
  kmsEvent('CreateGrant', KEY, at, {
    caller: EBS,
    requestParameters: {
      keyId: KEY,
      granteePrincipal: 'arn:aws:iam::111122223333:role/app',
      retiringPrincipal: 'ec2.us-east-1.amazonaws.com',
      operations: ['Decrypt', 'GenerateDataKeyWithoutPlaintext'],
      constraints: { encryptionContextSubset: { 'aws:ebs:id': 'vol-0123' } },
      name: 'ebs-volume',
    },
    responseElements: { grantId: GRANT },
  });

const retire = (at: string, where: 'requestParameters' | 'additionalEventData' = 'requestParameters') =>
  kmsEvent('RetireGrant', KEY, at, { caller: ADMIN, [where]: { grantId: GRANT } });

describe('the grant ledger', () => {
  it('records a grant from CreateGrant with who created it and through which service', () => {
    const create = createGrant('2024-10-01T00:00:00.000Z');

    const grant = apply([create]);

    expect(grant).toEqual({
      grantId: GRANT,
      keyArn: KEY,
      granteePrincipal: 'arn:aws:iam::111122223333:role/app',
      retiringPrincipal: 'ec2.us-east-1.amazonaws.com',
      operations: ['Decrypt', 'GenerateDataKeyWithoutPlaintext'],
      constraints: { encryptionContextSubset: { 'aws:ebs:id': 'vol-0123' } },
      name: 'ebs-volume',
      createdBy: EBS.principal,
      invokedBy: 'ec2.amazonaws.com',
      createdAt: '2024-10-01T00:00:00.000Z',
      createEventId: create.eventId,
      status: 'active',
      source: 'cloudtrail',
    });
  });

  it('closes a grant on RetireGrant, whether the id is in the request or in additionalEventData', () => {
    const fromRequest = apply([createGrant('2024-10-01T00:00:00.000Z'), retire('2024-10-05T00:00:00.000Z')]);
    const fromAdditional = apply([createGrant('2024-10-01T00:00:00.000Z'), retire('2024-10-05T00:00:00.000Z', 'additionalEventData')]);

    for (const grant of [fromRequest, fromAdditional]) {
      expect(grant).toMatchObject({ status: 'retired', closedAt: '2024-10-05T00:00:00.000Z', closedBy: ADMIN.principal });
    }
  });

  it('closes a grant on RevokeGrant', () => {
    const revoke = kmsEvent('RevokeGrant', KEY, '2024-10-06T00:00:00.000Z', { requestParameters: { keyId: KEY, grantId: GRANT } });

    expect(apply([createGrant('2024-10-01T00:00:00.000Z'), revoke])?.status).toBe('revoked');
  });

  it('does not reopen a grant whose retirement was seen before its creation', () => {
    const grant = apply([retire('2024-10-05T00:00:00.000Z'), createGrant('2024-10-01T00:00:00.000Z')]);

    expect(grant).toMatchObject({ status: 'retired', closedAt: '2024-10-05T00:00:00.000Z', createdAt: '2024-10-01T00:00:00.000Z', name: 'ebs-volume' });
  });

  it('keeps the earliest close whatever order the closes arrive in', () => {
    const revoke = kmsEvent('RevokeGrant', KEY, '2024-10-03T00:00:00.000Z', { requestParameters: { grantId: GRANT } });
    const events = [createGrant('2024-10-01T00:00:00.000Z'), retire('2024-10-05T00:00:00.000Z'), revoke];

    expect(apply(events)).toEqual(apply([events[0], events[2], events[1]].filter((event) => event !== undefined)));
    expect(apply(events)?.status).toBe('revoked');
  });

  it('ignores failed grant calls', () => {
    const created = apply([createGrant('2024-10-01T00:00:00.000Z')]);
    const failedRetire = failed('RetireGrant', KEY, '2024-10-05T00:00:00.000Z', 'AccessDeniedException', 'no', { requestParameters: { grantId: GRANT } });

    expect(applyGrantEvent(created, failedRetire)).toEqual(created);
    expect(grantChange(failedRetire)).toBeUndefined();
  });
});
