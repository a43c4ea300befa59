/** Evidence for policy tests: a symmetric key, watched for 400 days, scheduled for deletion by Alice at NOW. */
import type { DeletionEvidence, FailedUse, UseFact } from '../../../lib/domain/deletion/evidence.js';
import type { GuardPolicy } from '../../../lib/domain/guard-policy.js';
import type { GrantRecord, KeyStateName, StateTransition } from '../../../lib/domain/model.js';

export const NOW = new Date('2025-06-01T12:00:00.000Z');
export const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
export const ALICE = 'arn:aws:iam::111122223333:user/Alice';
export const SCHEDULE_EVENT_ID = 'schedule-event-1';

export const POLICY: GuardPolicy = {
  recentUseWindowDays: 90,
  observationPeriodDays: 14,
  exemptPrincipals: [],
  exemptTagMinAgeHours: 24,
  grantMaxAgeDays: 90,
  grantRecentUseDays: 30,
  reminderDays: [7, 1],
  usageHeartbeatHours: 6,
};

export const daysAgo = (days: number): string => new Date(NOW.getTime() - days * 86_400_000).toISOString();

export const transition = (daysBefore: number, state: KeyStateName, eventName: string, eventId = `${eventName}-${daysBefore}`): StateTransition => ({
  at: daysAgo(daysBefore),
  state,
  eventId,
  eventName,
});

const scheduled: StateTransition = { at: NOW.toISOString(), state: 'PendingDeletion', eventId: SCHEDULE_EVENT_ID, eventName: 'ScheduleKeyDeletion' };

/** Evidence with the given history before the scheduling (the scheduling itself is appended). */
export const evidence = (overrides: Partial<DeletionEvidence> = {}, historyBefore: readonly StateTransition[] = [transition(400, 'Enabled', 'CreateKey')]): DeletionEvidence => ({
  keyArn: KEY_ARN,
  accountId: '111122223333',
  region: 'us-east-1',
  trigger: { kind: 'schedule', eventId: SCHEDULE_EVENT_ID, at: NOW.toISOString(), actor: ALICE },
  scheduling: { scheduledAt: NOW.toISOString(), eventId: SCHEDULE_EVENT_ID, by: ALICE, deletionDate: '2025-06-08T12:00:00.000Z', pendingWindowInDays: 7 },
  currentState: 'PendingDeletion',
  keySpec: 'SYMMETRIC_DEFAULT',
  keyUsage: 'ENCRYPT_DECRYPT',
  origin: 'AWS_KMS',
  tags: {},
  history: [...historyBefore, scheduled],
  cryptographicUses: [],
  topCallers: [],
  failures: [],
  activeGrants: [],
  watchedSince: daysAgo(400),
  storeWatchedSince: daysAgo(400),
  // Usage events of the account and Region recorded for 400 days, the latest an hour before the scheduling.
  usageCoverage: { watchedSince: daysAgo(400), lastUsageEventAt: daysAgo(1 / 24) },
  sources: ['store-history'],
  ...overrides,
});

/** Evidence whose last cryptographic use (by the store) was `days` ago. */
export const usedDaysAgo = (days: number, operation = 'Decrypt'): Partial<DeletionEvidence> => {
  const use: UseFact = { at: daysAgo(days), operation, by: 'arn:aws:iam::111122223333:role/app', source: 'store' };
  return { lastCryptographicUse: use, lastUse: use, cryptographicUses: [use], sources: ['store-history', 'store-usage'] };
};

export const failure = (daysBefore: number, errorCode: string, message: string, operation = 'Decrypt'): FailedUse => ({
  at: daysAgo(daysBefore),
  operation,
  errorCode,
  message,
  eventId: `failure-${daysBefore}-${errorCode}`,
  callers: ['arn:aws:iam::111122223333:role/app'],
});

export const PENDING_MESSAGE = `${KEY_ARN} is pending deletion.`;
export const DISABLED_MESSAGE = `${KEY_ARN} is disabled.`;

export const grant = (overrides: Partial<GrantRecord> = {}): GrantRecord => ({
  grantId: 'grant-1',
  keyArn: KEY_ARN,
  operations: ['Decrypt'],
  createdAt: daysAgo(100),
  status: 'active',
  source: 'list-grants',
  ...overrides,
});
