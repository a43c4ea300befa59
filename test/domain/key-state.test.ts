import { describe, expect, it } from 'vitest';
import type { KmsEvent } from '../../lib/domain/kms-event.js';
import type { KeyRecord } from '../../lib/domain/model.js';
import {
  activeAliases,
  activeTags,
  applyLifecycleEvent,
  currentState,
  stateAt,
  stateBefore,
} from '../../lib/domain/key-state.js';
import { ADMIN, failed, keyArn, kmsEvent, shuffled } from './usage-test-events.js';

const KEY = keyArn('a');
const OTHER = keyArn('b');

const build = (key: string, events: readonly KmsEvent[]): KeyRecord | undefined =>
  events.reduce<KeyRecord | undefined>((record, event) => applyLifecycleEvent(record, key, event), undefined);

const createKey = (at: string, extra: Partial<KmsEvent> = {}) =>
  kmsEvent('CreateKey', KEY, at, {
    requestParameters: {
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      origin: 'AWS_KMS',
      policy: '{"Version":"2012-10-17"}',
      tags: [{ tagKey: 'team', tagValue: 'payments' }],
    },
    responseElements: { keyMetadata: { arn: KEY, keyState: 'Enabled', keyManager: 'CUSTOMER', multiRegion: false } },
    ...extra,
  });

const schedule = (at: string, extra: Partial<KmsEvent> = {}) =>
  kmsEvent('ScheduleKeyDeletion', KEY, at, {
    caller: ADMIN,
    requestParameters: { keyId: KEY, pendingWindowInDays: 7 },
    responseElements: { keyId: KEY, keyState: 'PendingDeletion', deletionDate: 'Oct 21, 2024, 2:25:29 PM' },
    ...extra,
  });

describe('a key record', () => {
  it('takes metadata, tags, policy and the Enabled state from CreateKey', () => {
    const record = build(KEY, [createKey('2024-10-01T10:00:00.000Z')]);

    expect(record).toMatchObject({
      keyArn: KEY,
      accountId: '111122223333',
      region: 'us-east-1',
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      origin: 'AWS_KMS',
      keyManager: 'CUSTOMER',
      multiRegion: false,
      createdAt: '2024-10-01T10:00:00.000Z',
      policy: { value: '{"Version":"2012-10-17"}', at: '2024-10-01T10:00:00.000Z' },
    });
    expect(record && currentState(record)).toBe('Enabled');
    expect(record && activeTags(record)).toEqual({ team: 'payments' });
  });

  it('starts an imported-material key in PendingImport', () => {
    const event = createKey('2024-10-01T10:00:00.000Z', { requestParameters: { origin: 'EXTERNAL' }, responseElements: {} });

    const record = build(KEY, [event]);

    expect(record && currentState(record)).toBe('PendingImport');
  });

  it('records a scheduled deletion with its parsed date, window and who scheduled it', () => {
    const scheduled = schedule('2024-10-14T14:25:29.000Z');

    const record = build(KEY, [createKey('2024-10-01T10:00:00.000Z'), scheduled]);

    expect(record && currentState(record)).toBe('PendingDeletion');
    expect(record?.pendingDeletion).toEqual({
      scheduledAt: '2024-10-14T14:25:29.000Z',
      deletionDate: '2024-10-21T14:25:29.000Z',
      pendingWindowInDays: 7,
      eventId: scheduled.eventId,
      by: ADMIN.principal,
    });
  });

  it('marks a multi-Region replica scheduled for deletion as PendingReplicaDeletion', () => {
    const scheduled = schedule('2024-10-14T14:25:29.000Z', {
      responseElements: { keyId: KEY, keyState: 'PendingReplicaDeletion', deletionDate: '2024-10-21T14:25:29Z' },
    });

    const record = build(KEY, [scheduled]);

    expect(record && currentState(record)).toBe('PendingReplicaDeletion');
    expect(record?.pendingDeletion?.deletionDate).toBe('2024-10-21T14:25:29.000Z');
  });

  it('is Disabled, not pending, after CancelKeyDeletion', () => {
    const events = [createKey('2024-10-01T10:00:00.000Z'), schedule('2024-10-14T00:00:00.000Z'), kmsEvent('CancelKeyDeletion', KEY, '2024-10-14T00:05:00.000Z')];

    const record = build(KEY, events);

    expect(record && currentState(record)).toBe('Disabled');
    expect(record?.pendingDeletion).toBeUndefined();
  });

  it('tells the state in force just before a scheduling', () => {
    const scheduled = schedule('2024-10-14T00:00:00.000Z');
    const events = [
      createKey('2024-10-01T10:00:00.000Z'),
      kmsEvent('DisableKey', KEY, '2024-10-05T00:00:00.000Z'),
      kmsEvent('EnableKey', KEY, '2024-10-10T00:00:00.000Z'),
      scheduled,
    ];

    const record = build(KEY, events);

    expect(record && stateAt(record, scheduled.eventTime)).toBe('Enabled');
    expect(record && stateAt(record, '2024-10-07T00:00:00.000Z')).toBe('Disabled');
    expect(record && stateAt(record, '2024-09-01T00:00:00.000Z')).toBeUndefined();
    expect(record && stateBefore(record, scheduled.eventId)).toBe('Enabled');
  });

  it('is the same whatever order, and however often, its events arrive', () => {
    const events = [
      createKey('2024-10-01T10:00:00.000Z'),
      kmsEvent('TagResource', KEY, '2024-10-02T00:00:00.000Z', { requestParameters: { tags: [{ tagKey: 'team', tagValue: 'risk' }, { tagKey: 'env', tagValue: 'prod' }] } }),
      kmsEvent('UntagResource', KEY, '2024-10-03T00:00:00.000Z', { requestParameters: { tagKeys: ['env'] } }),
      kmsEvent('CreateAlias', KEY, '2024-10-03T01:00:00.000Z', { requestParameters: { aliasName: 'alias/payments', targetKeyId: KEY } }),
      kmsEvent('DisableKey', KEY, '2024-10-05T00:00:00.000Z'),
      kmsEvent('EnableKey', KEY, '2024-10-06T00:00:00.000Z'),
      kmsEvent('PutKeyPolicy', KEY, '2024-10-07T00:00:00.000Z', { requestParameters: { policy: '{"v":2}' } }),
      schedule('2024-10-08T00:00:00.000Z'),
      kmsEvent('CancelKeyDeletion', KEY, '2024-10-09T00:00:00.000Z'),
      schedule('2024-10-10T00:00:00.000Z'),
    ];
    const expected = build(KEY, events);

    for (let seed = 1; seed <= 40; seed += 1) {
      const messy = shuffled([...events, ...events.slice(3, 8)], seed);
      expect(build(KEY, messy)).toEqual({ ...expected, firstSeenAt: expected?.firstSeenAt });
    }
    expect(expected && activeTags(expected)).toEqual({ team: 'risk' });
    expect(expected && activeAliases(expected)).toEqual(['alias/payments']);
    expect(expected?.policy?.value).toBe('{"v":2}');
    expect(expected?.pendingDeletion?.scheduledAt).toBe('2024-10-10T00:00:00.000Z');
    expect(expected?.history.map((transition) => transition.state)).toEqual([
      'Enabled', 'Disabled', 'Enabled', 'PendingDeletion', 'Disabled', 'PendingDeletion',
    ]);
  });

  it('ignores failed lifecycle calls', () => {
    const created = build(KEY, [createKey('2024-10-01T10:00:00.000Z')]);

    const after = applyLifecycleEvent(created, KEY, failed('ScheduleKeyDeletion', KEY, '2024-10-02T00:00:00.000Z', 'AccessDeniedException', 'no'));

    expect(after).toEqual(created);
  });

  it('moves an alias to the key UpdateAlias names and drops it on DeleteAlias', () => {
    const create = kmsEvent('CreateAlias', KEY, '2024-10-01T00:00:00.000Z', { requestParameters: { aliasName: 'alias/app', targetKeyId: KEY } });
    const update = kmsEvent('UpdateAlias', [OTHER, KEY], '2024-10-02T00:00:00.000Z', {
      requestParameters: { aliasName: 'alias/app', targetKeyId: OTHER.split('/')[1] },
    });
    const remove = kmsEvent('DeleteAlias', OTHER, '2024-10-03T00:00:00.000Z', { requestParameters: { aliasName: 'alias/app' } });

    const oldTarget = build(KEY, [create, update]);
    const newTarget = build(OTHER, [update]);
    const deleted = build(OTHER, [update, remove]);

    expect(oldTarget && activeAliases(oldTarget)).toEqual([]);
    expect(newTarget && activeAliases(newTarget)).toEqual(['alias/app']);
    expect(deleted && activeAliases(deleted)).toEqual([]);
  });

  it('gives a replica its own record and marks the primary', () => {
    const replica = 'arn:aws:kms:eu-west-1:111122223333:key/mrk-1234';
    const replicate = kmsEvent('ReplicateKey', [KEY, replica], '2024-10-01T00:00:00.000Z', {
      requestParameters: { keyId: KEY, replicaRegion: 'eu-west-1' },
      responseElements: { replicaKeyMetadata: { arn: replica, keyState: 'Creating', keySpec: 'SYMMETRIC_DEFAULT', multiRegion: true } },
    });

    const replicaRecord = build(replica, [replicate]);
    const primaryRecord = build(KEY, [replicate]);

    expect(replicaRecord).toMatchObject({ region: 'eu-west-1', multiRegion: true, multiRegionKeyType: 'REPLICA', keySpec: 'SYMMETRIC_DEFAULT' });
    expect(replicaRecord && currentState(replicaRecord)).toBe('Enabled');
    expect(primaryRecord).toMatchObject({ multiRegion: true, multiRegionKeyType: 'PRIMARY' });
    expect(primaryRecord?.history).toEqual([]);
  });

  it('follows key deletion and imported key material', () => {
    const events = [
      kmsEvent('ImportKeyMaterial', KEY, '2024-10-01T00:00:00.000Z'),
      kmsEvent('DeleteImportedKeyMaterial', KEY, '2024-10-02T00:00:00.000Z'),
      kmsEvent('KMS Imported Key Material Expiration', KEY, '2024-10-03T00:00:00.000Z', { category: 'service-event' }),
      kmsEvent('KMS CMK Deletion', KEY, '2024-10-04T00:00:00.000Z', { category: 'service-event' }),
    ];

    const states = events.map((_, index) => {
      const record = build(KEY, events.slice(0, index + 1));
      return record && currentState(record);
    });

    expect(states).toEqual(['Enabled', 'PendingImport', 'PendingImport', 'Deleted']);
  });
});
