/**
 * Model-based test of the grant store against DynamoDB Local: generated interleavings of CreateGrant, RetireGrant
 * and RevokeGrant events (redelivered at any time), ListGrants discoveries and "gone" closes. Invariants: a closed
 * grant never reopens; the queries return exactly the active grants; every closed grant carries its expiry; an
 * upsert says what it stored.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { grantKey } from '../../lib/adapters/dynamodb-items.js';
import { DynamoDbGrantStore } from '../../lib/adapters/dynamodb-grant-store.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import type { KmsEvent } from '../../lib/domain/kms-event.js';
import type { GrantRecord } from '../../lib/domain/model.js';
import { keyArn, kmsEvent } from '../domain/usage-test-events.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';

const client = dynamoTestClient();
const GRANTS = ['g-a', 'g-b', 'g-c'];

interface Model {
  readonly status: Map<string, 'active' | 'closed'>;
  readonly sent: KmsEvent[];
  clock: number;
}
interface Real {
  readonly key: string;
  readonly table: string;
  readonly grants: DynamoDbGrantStore;
  readonly usage: DynamoDbUsageStore;
}

const at = (model: Model): string => new Date(Date.UTC(2026, 0, 1) + (model.clock += 60_000)).toISOString();

/** The ledger's rules: a create opens only what was never closed; any close closes for good. */
const apply = (model: Model, event: KmsEvent): void => {
  const grantId = String(event.responseElements.grantId ?? event.requestParameters.grantId);
  if (event.eventName === 'CreateGrant') {
    if (model.status.get(grantId) !== 'closed') model.status.set(grantId, 'active');
  } else model.status.set(grantId, 'closed');
};

class Send implements fc.AsyncCommand<Model, Real> {
  constructor(readonly eventName: 'CreateGrant' | 'RetireGrant' | 'RevokeGrant', readonly grantId: string) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const event =
      this.eventName === 'CreateGrant'
        ? kmsEvent('CreateGrant', real.key, at(model), { responseElements: { grantId: this.grantId }, requestParameters: { operations: ['Decrypt'] } })
        : kmsEvent(this.eventName, real.key, at(model), { requestParameters: { grantId: this.grantId } });
    model.sent.push(event);
    apply(model, event);
    await real.usage.record([event]);
  }
  toString = () => `${this.eventName}(${this.grantId})`;
}

class Redeliver implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = (model: Readonly<Model>) => model.sent.length > 0;
  async run(model: Model, real: Real): Promise<void> {
    const event = model.sent[this.pick % model.sent.length];
    if (event === undefined) return;
    apply(model, event);
    await real.usage.record([event]);
  }
  toString = () => `Redeliver(#${this.pick})`;
}

class Discover implements fc.AsyncCommand<Model, Real> {
  constructor(readonly grantId: string) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const listed: GrantRecord = { grantId: this.grantId, keyArn: real.key, granteePrincipal: 'arn:aws:iam::111122223333:role/app', operations: ['Decrypt'], createdAt: at(model), status: 'active', source: 'list-grants' };
    const [stored] = await real.grants.upsertDiscoveredGrants([listed]);
    if (model.status.get(this.grantId) !== 'closed') model.status.set(this.grantId, 'active');
    expect(stored?.status === 'active' ? 'active' : 'closed').toBe(model.status.get(this.grantId));
  }
  toString = () => `Discover(${this.grantId})`;
}

class CloseGone implements fc.AsyncCommand<Model, Real> {
  constructor(readonly grantId: string) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    await real.grants.closeGrant(real.key, this.grantId, 'gone', at(model), 'kms-guard');
    model.status.set(this.grantId, 'closed');
  }
  toString = () => `CloseGone(${this.grantId})`;
}

/** After every command: the queries and the items agree with the model. */
const checkInvariants = async (model: Model, real: Real): Promise<void> => {
  const active = [...model.status].filter(([, status]) => status === 'active').map(([grantId]) => grantId).sort();
  expect((await real.grants.listGrants(real.key)).map((grant) => grant.grantId).sort()).toEqual(active);
  expect((await real.grants.listActiveGrants()).filter((grant) => grant.keyArn === real.key).map((grant) => grant.grantId).sort()).toEqual(active);
  for (const [grantId, status] of model.status) {
    const { Item } = await client.send(new GetCommand({ TableName: real.table, Key: grantKey(real.key, grantId), ConsistentRead: true }));
    expect(Item?.status === 'active' ? 'active' : 'closed').toBe(status);
    if (status === 'closed') expect(Item?.expiresAt).toEqual(expect.any(Number));
    else expect(Item?.expiresAt).toBeUndefined();
  }
};

const commands = fc.commands(
  [
    fc.tuple(fc.constantFrom('CreateGrant', 'CreateGrant', 'RetireGrant', 'RevokeGrant') as fc.Arbitrary<Send['eventName']>, fc.constantFrom(...GRANTS)).map(
      ([name, grantId]) => new Send(name, grantId),
    ),
    fc.nat(50).map((pick) => new Redeliver(pick)),
    fc.constantFrom(...GRANTS).map((grantId) => new Discover(grantId)),
    fc.constantFrom(...GRANTS).map((grantId) => new CloseGone(grantId)),
  ],
  { maxCommands: 10 },
);

describe('the grant store, for any interleaving of grant events, redeliveries, discoveries and closes', () => {
  let table: string;
  beforeAll(async () => {
    table = await createTestTable(client);
  });

  it('never reopens a closed grant, lists exactly the active ones and lets every closed one expire', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(commands, async (generated) => {
        run += 1;
        const real: Real = { key: keyArn(`m${run}`), table, grants: new DynamoDbGrantStore(client, table), usage: new DynamoDbUsageStore(client, table) };
        const model: Model = { status: new Map(), sent: [], clock: 0 };
        await fc.asyncModelRun(() => ({ model, real }), [...generated].map((command) => wrap(command, checkInvariants)));
      }),
      { seed: 4242, numRuns: 15, interruptAfterTimeLimit: 40_000 },
    );
  }, 120_000);
});

/** Runs the invariants after each command. */
const wrap = (command: fc.AsyncCommand<Model, Real>, after: (model: Model, real: Real) => Promise<void>): fc.AsyncCommand<Model, Real> => ({
  check: (model) => command.check(model),
  run: async (model, real) => {
    await command.run(model, real);
    await after(model, real);
  },
  toString: () => command.toString(),
});
