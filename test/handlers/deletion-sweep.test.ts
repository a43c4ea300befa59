import { Logger } from '@aws-lambda-powertools/logger';
import { ScheduleKeyDeletionCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_POLICY } from '../../lib/config.js';
import { buildDeletionSweepHandler, type DeletionSweepDeps } from '../../lib/handlers/deletion-sweep.js';
import { SweepFailedError } from '../../lib/use-cases/sweep-pending-deletions.js';
import { kmsEvent } from '../domain/usage-test-events.js';
import type { FakeKms } from '../support/fake-kms-server.js';
import { startGuardWorld, type GuardWorld } from '../support/guard-world.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const context = { functionName: 'deletion-sweep', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:deletion-sweep' } as Context;
/** What EventBridge Scheduler sends: nothing the sweep needs. */
const scheduledEvent = { version: '0', id: 'sched-1', 'detail-type': 'Scheduled Event', source: 'aws.scheduler', account: '111122223333', time: NOW.toISOString(), region: 'us-east-1', resources: [], detail: '{}' };

describe('the deletion sweep handler', () => {
  let world: GuardWorld;
  let fake: FakeKms;
  let kms: KMSClient;
  let deps: DeletionSweepDeps;

  beforeEach(async () => {
    world = await startGuardWorld({ now: () => NOW });
    ({ fake, kms } = world);
    deps = {
      ...world.ports,
      config: { mode: 'dry-run', policy: DEFAULT_POLICY },
      logger: new Logger({ serviceName: 'kms-guard-test', logLevel: 'SILENT' }),
    };
  });

  afterEach(() => world.close());

  it('re-judges every pending key on schedule and counts what it decided', async () => {
    const keyArn = fake.createKey({ tags: { 'kms-guard:allow-deletion': 'true' } });
    // The store saw the key's owner set the exemption tag weeks ago: the tag counts.
    await world.ports.usage.record([
      kmsEvent('TagResource', keyArn, '2026-05-01T09:00:00.000Z', { requestParameters: { tags: [{ tagKey: 'kms-guard:allow-deletion', tagValue: 'true' }] } }),
    ]);
    fake.createKey();
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 30 }));
    // …and an administrator's scheduling (the exemption is judged against who scheduled, and when).
    await world.ports.usage.record([
      kmsEvent('ScheduleKeyDeletion', keyArn, '2026-06-01T11:00:00.000Z', {
        caller: { principal: 'arn:aws:iam::111122223333:role/Admin', principalType: 'AssumedRole' },
        requestParameters: { keyId: keyArn, pendingWindowInDays: 30 },
        responseElements: { keyId: keyArn, keyState: 'PendingDeletion', pendingWindowInDays: 30 },
      }),
    ]);

    const result = await buildDeletionSweepHandler(deps)(scheduledEvent, context);

    expect(result).toEqual({ decisions: 1, byAction: { 'allow-deletion': 1 } });
    expect(fake.state(keyArn)).toBe('PendingDeletion');
  });

  it('logs and rethrows when keys could not be swept', async () => {
    const error = vi.spyOn(deps.logger, 'error');
    fake.failNext('ListKeys', 3, { status: 503, type: 'ServiceUnavailableException' });

    await expect(buildDeletionSweepHandler(deps)(scheduledEvent, context)).rejects.toBeInstanceOf(SweepFailedError);
    expect(error).toHaveBeenCalledWith('sweep failed', expect.objectContaining({ error: expect.any(SweepFailedError) }));
  });
});
