import { describe, expect, it } from 'vitest';
import type { KmsEvent } from '../../lib/domain/kms-event.js';
import type { KeyRecord } from '../../lib/domain/model.js';
import {
  activeAliases,
  activeTags,
  applyLifecycleEvent,
  currentState,
  isPendingDeletion,
  stateAt,
  stateBefore,
} from '../../lib/domain/key-state.js';
import { KEY_RECORD_BUDGET_BYTES, MAX_HISTORY, MAX_TOMBSTONES } from '../../lib/domain/key-record-bounds.js';
import { jsonBytes } from '../../lib/domain/size-budget.js';
import { parseRecord } from '../../lib/ingest/parse-record.js';
import { loadSample } from '../ingest/support.js';
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
    // Who set a tag, and when: the exemption tag is trusted on both.
    expect(expected?.tags.team).toEqual({ value: 'risk', at: '2024-10-02T00:00:00.000Z', by: 'arn:aws:iam::111122223333:role/app' });
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

  it("ends the waiting period on KMS's own DeleteKey record, so the key no longer counts as pending", () => {
    const sample = parseRecord(loadSample('awsdocs-kms-developer-guide/ct-delete-key-1.json'), 'test', 0);
    if (sample.kind !== 'event') throw new Error('the DeleteKey sample did not parse');
    const deleted = sample.event.keyArns[0] ?? '';
    const scheduled = { ...schedule('2020-07-01T00:00:00.000Z'), keyArns: [deleted] };

    const record = build(deleted, [scheduled, sample.event]);

    expect(sample.event).toMatchObject({ eventName: 'DeleteKey', category: 'service-event' });
    expect(record && currentState(record)).toBe('Deleted');
    expect(record && isPendingDeletion(record)).toBe(false);
    expect(record?.pendingDeletion).toBeUndefined();
  });

  it('is PendingImport after DeleteExpiredKeyMaterial, and records rotations without a state change', () => {
    const events = [
      createKey('2024-10-01T10:00:00.000Z'),
      kmsEvent('RotateKey', KEY, '2024-11-01T00:00:00.000Z', { category: 'service-event' }),
      kmsEvent('RotateKeyOnDemand', KEY, '2024-11-05T00:00:00.000Z'),
      kmsEvent('DeleteExpiredKeyMaterial', KEY, '2024-12-01T00:00:00.000Z', { category: 'service-event' }),
    ];

    const rotated = build(KEY, events.slice(0, 3));
    const expired = build(KEY, events);

    expect(rotated && currentState(rotated)).toBe('Enabled');
    expect(rotated?.lastRotatedAt).toBe('2024-11-05T00:00:00.000Z');
    expect(expired && currentState(expired)).toBe('PendingImport');
  });
});

describe('the size budget of a key record', () => {
  it('keeps the newest transitions and live tags, drops old tombstones, and stays small past 400 KB of history', () => {
    const events: KmsEvent[] = [createKey('2024-01-01T00:00:00.000Z')];
    const start = Date.parse('2024-01-02T00:00:00.000Z');
    for (let index = 0; index < 3_000; index += 1) {
      const at = new Date(start + index * 600_000).toISOString();
      events.push(kmsEvent(index % 2 === 0 ? 'DisableKey' : 'EnableKey', KEY, at));
      // Tags with long keys, each removed again: a tombstone per key.
      const tagKey = `team-${index}-${'x'.repeat(100)}`;
      events.push(kmsEvent('TagResource', KEY, at, { requestParameters: { tags: [{ tagKey, tagValue: 'v'.repeat(200) }] } }));
      events.push(kmsEvent('UntagResource', KEY, at, { requestParameters: { tagKeys: [tagKey] } }));
    }
    const unbounded = JSON.stringify(events).length;

    const record = build(KEY, events);

    expect(unbounded).toBeGreaterThan(400 * 1024);
    expect(jsonBytes(record)).toBeLessThan(KEY_RECORD_BUDGET_BYTES);
    expect(record?.history).toHaveLength(MAX_HISTORY);
    // Everything at or before the newest dropped transition is marked incomplete; the kept ones all come after it.
    expect(record?.historyTruncatedAt).toBeDefined();
    expect(record?.history.every((transition) => transition.at > (record.historyTruncatedAt ?? ''))).toBe(true);
    expect(record && currentState(record)).toBe('Enabled');
    expect(record && activeTags(record)).toEqual({ team: 'payments' });
    expect(Object.values(record?.tags ?? {}).filter((tag) => tag.value === null).length).toBeLessThanOrEqual(MAX_TOMBSTONES);
  });
});
