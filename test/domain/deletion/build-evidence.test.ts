import { describe, expect, it } from 'vitest';
import { buildDeletionEvidence, type EvidenceInput } from '../../../lib/domain/deletion/build-evidence.js';
import type { KeyRecord, KeyUsageSummary } from '../../../lib/domain/model.js';
import type { KmsKeyFacts } from '../../../lib/domain/ports.js';
import { ALICE, KEY_ARN, NOW, SCHEDULE_EVENT_ID, daysAgo, grant } from './fixtures.js';

const APP = 'arn:aws:iam::111122223333:role/app';

const key: KeyRecord = {
  keyArn: KEY_ARN,
  accountId: '111122223333',
  region: 'us-east-1',
  history: [
    { at: daysAgo(100), state: 'Enabled', eventId: 'create', eventName: 'CreateKey' },
    { at: NOW.toISOString(), state: 'PendingDeletion', eventId: SCHEDULE_EVENT_ID, eventName: 'ScheduleKeyDeletion' },
  ],
  keySpec: 'SYMMETRIC_DEFAULT',
  tags: { team: { value: 'payments', at: daysAgo(90) }, old: { value: null, at: daysAgo(80) } },
  aliases: {},
  firstSeenAt: daysAgo(100),
  pendingDeletion: { scheduledAt: NOW.toISOString(), eventId: SCHEDULE_EVENT_ID, by: ALICE, deletionDate: '2025-06-08T12:00:00.000Z' },
};

const usage: KeyUsageSummary = {
  keyArn: KEY_ARN,
  lastUsedAt: daysAgo(3),
  lastCryptographicUseAt: daysAgo(5),
  lastUsedByOperation: { Decrypt: daysAgo(5), Encrypt: daysAgo(40), GetPublicKey: daysAgo(3) },
  useCount: 12,
  dailyCounts: {},
  callers: [
    { id: APP, principal: APP, count: 10, lastAt: daysAgo(5), operations: ['Decrypt', 'Encrypt'] },
    { id: 'arn:aws:iam::111122223333:role/reader', principal: 'arn:aws:iam::111122223333:role/reader', count: 2, lastAt: daysAgo(3), operations: ['GetPublicKey'] },
  ],
  failures: [
    { operation: 'Decrypt', errorCode: 'DisabledException', count: 2, lastAt: daysAgo(2), lastMessage: 'is disabled.', lastEventId: 'f-1', callers: [APP] },
  ],
  lastDisabledFailure: {
    at: daysAgo(2),
    eventId: 'f-1',
    operation: 'Decrypt',
    errorCode: 'DisabledException',
    message: 'is disabled.',
    caller: { principal: APP, principalType: 'AssumedRole' },
  },
  firstSeenAt: daysAgo(120),
};

const facts: KmsKeyFacts = {
  keyArn: KEY_ARN,
  keyState: 'PendingDeletion',
  keySpec: 'SYMMETRIC_DEFAULT',
  keyUsage: 'ENCRYPT_DECRYPT',
  origin: 'AWS_KMS',
  deletionDate: '2025-06-08T12:00:05.000Z',
  tags: { team: 'platform' },
  aliases: [],
  lastUsage: { operation: 'Decrypt', at: daysAgo(1) },
  usageTrackingStartDate: daysAgo(300),
};

const input = (overrides: Partial<EvidenceInput> = {}): EvidenceInput => ({
  keyArn: KEY_ARN,
  accountId: '111122223333',
  region: 'us-east-1',
  trigger: { kind: 'sweep', eventId: 'sweep-1', at: NOW.toISOString() },
  key,
  usage,
  storeGrants: [],
  ...overrides,
});

describe('buildDeletionEvidence', () => {
  describe('from the store alone', () => {
    const evidence = buildDeletionEvidence(input());

    it('takes the scheduling, state and active tags from the key record', () => {
      expect(evidence.scheduling).toMatchObject({ scheduledAt: NOW.toISOString(), by: ALICE, eventId: SCHEDULE_EVENT_ID });
      expect(evidence.currentState).toBe('PendingDeletion');
      expect(evidence.tags).toEqual({ team: 'payments' });
    });

    it('separates the last cryptographic use, with its caller, from a later public-key export', () => {
      expect(evidence.lastCryptographicUse).toEqual({ at: daysAgo(5), operation: 'Decrypt', by: APP, source: 'store' });
      expect(evidence.lastUse).toMatchObject({ at: daysAgo(3), operation: 'GetPublicKey' });
      expect(evidence.publicKeyExportedAt).toBe(daysAgo(3));
    });

    it('lists each failure once and the busiest callers first', () => {
      expect(evidence.failures).toHaveLength(1);
      expect(evidence.failures[0]).toMatchObject({ eventId: 'f-1', callers: [APP] });
      expect(evidence.topCallers.map((caller) => caller.count)).toEqual([10, 2]);
    });

    it('keeps when the store first saw the key apart from what it watched (only coverage says that)', () => {
      expect(evidence.watchedSince).toBeUndefined();
      expect(evidence.storeWatchedSince).toBe(daysAgo(120));
      expect(evidence.sources).toEqual(['store-history', 'store-usage']);
    });

    it('keeps only active stored grants', () => {
      const grants = [grant({ grantId: 'open' }), grant({ grantId: 'closed', status: 'revoked' })];
      expect(buildDeletionEvidence(input({ storeGrants: grants })).activeGrants.map((g) => g.grantId)).toEqual(['open']);
    });
  });

  describe('with KMS', () => {
    const stored = grant({ grantId: 'ebs', invokedBy: 'ec2-frontend-api.amazonaws.com', createdBy: APP, source: 'cloudtrail' });
    const listed = [grant({ grantId: 'ebs' }), grant({ grantId: 'new' })];
    const evidence = buildDeletionEvidence(input({ storeGrants: [stored, grant({ grantId: 'gone' })], kms: { facts, grants: listed } }));

    it('lets KMS say the current tags, deletion date and latest use', () => {
      expect(evidence.tags).toEqual({ team: 'platform' });
      expect(evidence.scheduling?.deletionDate).toBe('2025-06-08T12:00:05.000Z');
      expect(evidence.lastCryptographicUse).toEqual({ at: daysAgo(1), operation: 'Decrypt', source: 'kms' });
    });

    it('lists the grants KMS lists, with how the store saw them created', () => {
      expect(evidence.activeGrants.map((g) => g.grantId)).toEqual(['ebs', 'new']);
      expect(evidence.activeGrants[0]).toMatchObject({ invokedBy: 'ec2-frontend-api.amazonaws.com', createdBy: APP });
    });

    it('counts KMS usage tracking as watching, but not as the store watching', () => {
      expect(evidence.watchedSince).toBe(daysAgo(300));
      expect(evidence.kmsTrackingSince).toBe(daysAgo(300));
      expect(evidence.storeWatchedSince).toBe(daysAgo(120));
      expect(evidence.sources).toContain('kms');
    });
  });

  it('knows nothing beyond the trigger for a key first seen in its own scheduling', () => {
    const scheduleOnly: KeyRecord = { ...key, history: key.history.slice(1), firstSeenAt: NOW.toISOString() };
    const evidence = buildDeletionEvidence(
      input({
        key: scheduleOnly,
        usage: { ...usage, useCount: 0, failures: [], lastUsedByOperation: {}, callers: [], lastUsedAt: undefined, lastCryptographicUseAt: undefined, lastDisabledFailure: undefined, firstSeenAt: undefined },
        trigger: { kind: 'schedule', eventId: SCHEDULE_EVENT_ID, at: NOW.toISOString() },
      }),
    );
    expect(evidence.sources).toEqual([]);
    expect(evidence.lastUse).toBeUndefined();
    expect(evidence.storeWatchedSince).toBe(NOW.toISOString());
  });

  it('says when KMS holds a later scheduling than the one that triggered the decision', () => {
    const later = { ...facts, deletionDate: '2025-06-20T09:00:00.000Z' };
    const triggerScheduling = { scheduledAt: NOW.toISOString(), eventId: SCHEDULE_EVENT_ID, deletionDate: '2025-06-08T12:00:00.000Z' };
    const superseded = buildDeletionEvidence(input({ triggerScheduling, kms: { facts: later, grants: [] } }));
    const current = buildDeletionEvidence(input({ triggerScheduling, kms: { facts: { ...facts, deletionDate: '2025-06-08T12:00:00.412Z' }, grants: [] } }));
    expect(superseded.supersededBy).toEqual({ deletionDate: '2025-06-20T09:00:00.000Z' });
    expect(current.supersededBy).toBeUndefined();
  });

  it("carries the coverage of the key's account and Region", () => {
    const coverage = { accountId: '111122223333', region: 'us-east-1', watchedSince: daysAgo(200), lastUsageEventAt: daysAgo(0.1) };
    const evidence = buildDeletionEvidence(input({ coverage }));
    expect(evidence.usageCoverage).toEqual({ watchedSince: daysAgo(200), lastUsageEventAt: daysAgo(0.1) });
    expect(evidence.watchedSince).toBe(daysAgo(200));
  });
});
