import { describe, expect, it } from 'vitest';
import { isSqsBatch } from '../../lib/handlers/sqs-batch.js';
import { eventBridgeEnvelope, scheduleRecord } from '../domain/deletion/kms-events.js';

describe('the entries fed by EventBridge and by SQS', () => {
  it('tell an SQS batch from one EventBridge event, however malformed', () => {
    const keyArn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(isSqsBatch({ Records: [] })).toBe(true);
    expect(isSqsBatch(eventBridgeEnvelope(scheduleRecord(keyArn, 'e-1', new Date('2026-06-01T12:00:00Z'))))).toBe(false);
    expect(isSqsBatch(scheduleRecord(keyArn, 'e-1', new Date('2026-06-01T12:00:00Z')))).toBe(false);
    expect(isSqsBatch(null)).toBe(false);
    expect(isSqsBatch({ Records: 'not a list' })).toBe(false);
  });
});
