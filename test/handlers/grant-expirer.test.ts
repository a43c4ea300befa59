import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_POLICY } from '../../lib/config.js';
import type { Decision } from '../../lib/domain/model.js';
import { buildGrantExpirerHandler, GrantSweepFailedError, type GrantExpirerDeps } from '../../lib/handlers/grant-expirer.js';
import type { FakeKms } from '../support/fake-kms-server.js';
import { startGuardWorld, type GuardWorld } from '../support/guard-world.js';

const NOW = new Date('2026-06-01T12:30:00.000Z');
const LONG_AGO = '2025-06-01T00:00:00.000Z';
const APP_ROLE = 'arn:aws:iam::111122223333:role/app';

/** What EventBridge Scheduler sends: nothing the sweep needs. */
const scheduledEvent = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.scheduler',
  account: '111122223333',
  time: NOW.toISOString(),
  region: 'us-east-1',
  resources: ['arn:aws:scheduler:us-east-1:111122223333:schedule/default/kms-guard-grant-expirer'],
  detail: '{}',
};

const context = { functionName: 'grant-expirer', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:grant-expirer' } as Context;

describe('the grant expirer handler', () => {
  let world: GuardWorld;
  let fake: FakeKms;
  let deps: GrantExpirerDeps;
  let published: Decision[];

  beforeEach(async () => {
    world = await startGuardWorld({ now: () => NOW });
    ({ fake, published } = world);
    deps = {
      ...world.ports,
      config: { mode: 'enforce', policy: DEFAULT_POLICY },
      logger: new Logger({ serviceName: 'kms-guard-test', logLevel: 'SILENT' }),
    };
  });

  afterEach(() => world.close());

  const keyWithStaleGrant = (): { keyArn: string; grantId: string } => {
    const keyArn = fake.createKey({ creationDate: LONG_AGO });
    const grantId = fake.addGrant(keyArn, { grantId: randomBytes(32).toString('hex'), granteePrincipal: APP_ROLE, operations: ['Decrypt'], creationDate: LONG_AGO });
    return { keyArn, grantId };
  };

  it('sweeps on a scheduled event, returns what it did and logs each decision', async () => {
    const { keyArn, grantId } = keyWithStaleGrant();
    const info = vi.spyOn(deps.logger, 'info');
    const result = await buildGrantExpirerHandler(deps)(scheduledEvent, context);
    expect(result).toMatchObject({
      eventId: 'grant-sweep#2026-06-01T12',
      discovered: 1,
      revoked: 1,
      decisions: [{ decisionId: `revoke#${keyArn}#${grantId}`, reasons: ['stale-grant'], dryRun: false }],
    });
    expect(info).toHaveBeenCalledWith('decision', expect.objectContaining({ keyArn, grantId, outcome: [{ call: 'RevokeGrant', result: 'ok' }] }));
  });

  it('takes the mode from the configuration: dry-run revokes nothing', async () => {
    const { keyArn, grantId } = keyWithStaleGrant();
    const result = await buildGrantExpirerHandler({ ...deps, config: { mode: 'dry-run', policy: DEFAULT_POLICY } })(scheduledEvent, context);
    expect(result.decisions).toEqual([{ decisionId: `revoke#${keyArn}#${grantId}#dry-run`, reasons: ['stale-grant'], dryRun: true }]);
    expect(fake.grantIds(keyArn)).toEqual([grantId]);
  });

  it('throws, naming the grant, after revoking the grants that could be revoked', async () => {
    const first = keyWithStaleGrant();
    const second = keyWithStaleGrant();
    const [failing, succeeding] = [first, second].sort((a, b) => a.keyArn.localeCompare(b.keyArn));
    fake.failNext('RevokeGrant', 1, { status: 400, type: 'AccessDeniedException', message: 'not authorized to perform kms:RevokeGrant' });
    const run = buildGrantExpirerHandler(deps)(scheduledEvent, context);
    await expect(run).rejects.toThrow(GrantSweepFailedError);
    await expect(run).rejects.toThrow(`${failing?.keyArn} grant ${failing?.grantId}: RevokeGrant: AccessDeniedException`);
    expect(fake.grantIds(succeeding?.keyArn ?? '')).toEqual([]);
    expect(published.map((decision) => decision.outcome?.[0]?.result).sort()).toEqual(['failed', 'ok']);
  });
});
