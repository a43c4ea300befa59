import { describe, expect, it } from 'vitest';
import { customKeyStoreArn, customKeyStoreChange, hsmCountBelowMinimum } from '../../../lib/domain/alerts/custom-key-store.js';
import type { KmsEvent } from '../../../lib/domain/kms-event.js';
import { cksRecord, eventFrom } from './samples.js';

const event = (eventName: string, requestParameters: Record<string, unknown>, extra?: Record<string, unknown>): KmsEvent =>
  eventFrom(cksRecord(eventName, requestParameters, extra));

describe('custom-key-store', () => {
  it('flags DisconnectCustomKeyStore and DeleteCustomKeyStore', () => {
    for (const [eventName, change] of [['DisconnectCustomKeyStore', 'disconnected'], ['DeleteCustomKeyStore', 'deleted']] as const) {
      const result = customKeyStoreChange(event(eventName, { customKeyStoreId: 'cks-1234567890abcdef0' }), undefined);
      expect(result).toMatchObject({ status: 'NON_COMPLIANT', finding: { reason: 'custom-key-store', evidence: { change, customKeyStoreId: 'cks-1234567890abcdef0' } } });
    }
  });

  it('flags UpdateCustomKeyStore on a connected store, naming the fields changed', () => {
    const result = customKeyStoreChange(
      event('UpdateCustomKeyStore', { customKeyStoreId: 'cks-1', newCustomKeyStoreName: 'renamed' }),
      { customKeyStoreId: 'cks-1', connectionState: 'CONNECTED', cloudHsmClusterId: 'cluster-1a23b4cdefg' },
    );
    expect(result).toMatchObject({ status: 'NON_COMPLIANT', finding: { evidence: { change: 'updated-while-connected', updatedFields: ['newCustomKeyStoreName'] } } });
  });

  it('passes UpdateCustomKeyStore on a disconnected or unknown store', () => {
    const update = event('UpdateCustomKeyStore', { customKeyStoreId: 'cks-1', keyStorePassword: 'HIDDEN_DUE_TO_SECURITY_REASONS' });
    expect(customKeyStoreChange(update, { customKeyStoreId: 'cks-1', connectionState: 'DISCONNECTED' }).status).toBe('COMPLIANT');
    expect(customKeyStoreChange(update, undefined).status).toBe('COMPLIANT');
  });

  it('ignores a failed disconnect, and CreateCustomKeyStore / ConnectCustomKeyStore', () => {
    const failed = event('DisconnectCustomKeyStore', { customKeyStoreId: 'cks-1' }, { errorCode: 'CustomKeyStoreInvalidStateException', errorMessage: 'x' });
    expect(customKeyStoreChange(failed, undefined).status).toBe('NOT_APPLICABLE');
    expect(customKeyStoreChange(event('ConnectCustomKeyStore', { customKeyStoreId: 'cks-1' }), undefined).status).toBe('NOT_APPLICABLE');
  });

  it('names a store by an ARN-like id', () => {
    expect(customKeyStoreArn('us-west-2', '111122223333', 'cks-1')).toBe('arn:aws:kms:us-west-2:111122223333:custom-key-store/cks-1');
  });
});

describe('hsm-count-below-two', () => {
  const deleteHsm = event('DeleteHsm', { clusterId: 'cluster-1a23b4cdefg', hsmId: 'hsm-abc' });
  const store = { customKeyStoreId: 'cks-1', cloudHsmClusterId: 'cluster-1a23b4cdefg' };

  it('flags a DeleteHsm that leaves one HSM (or none) in a cluster behind a store', () => {
    expect(hsmCountBelowMinimum(deleteHsm, store, 1)).toMatchObject({ status: 'NON_COMPLIANT', finding: { evidence: { activeHsms: 1, deletedHsmId: 'hsm-abc' } } });
    expect(hsmCountBelowMinimum(deleteHsm, store, 0).status).toBe('NON_COMPLIANT');
  });

  it('passes when two remain, and when the count is unknown', () => {
    expect(hsmCountBelowMinimum(deleteHsm, store, 2).status).toBe('COMPLIANT');
    expect(hsmCountBelowMinimum(deleteHsm, store, undefined).status).toBe('COMPLIANT');
  });
});
