/**
 * The deletion guard's safety properties (invariants.ts, I1–I4) under generated interleavings of what people do
 * (schedule, cancel, enable, disable — a DisableKey in the same second as the scheduling), of deliveries (late,
 * duplicated, the usage buffer lagging), and of faults (a crash between claim and act, throttling and AccessDenied
 * from KMS, store errors, a hostile flood of failing callers, a key with many EBS grants), with a dry-run → enforce
 * switch. Real handlers, DynamoDB Local, the local KMS endpoint. Seeded and bounded in time; shrunk counterexamples
 * are kept below as example tests.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';
import { KEY_NAMES, SafetyWorld, type KeyName, type StoreFault } from './deletion-guard-world.js';
import { checkInvariants, settle } from './invariants.js';

type Model = { switched: boolean };
type Step = fc.AsyncCommand<Model, SafetyWorld>;

const step = (name: string, run: (world: SafetyWorld, model: Model) => Promise<void>, check: (model: Readonly<Model>) => boolean = () => true): Step => ({
  check,
  run: async (model, world) => run(world, model),
  toString: () => name,
});

const keyName = fc.constantFrom<KeyName>(...KEY_NAMES);
type Disable = 'no' | 'a-second-before' | 'same-second';

/** The commands, by name: the arbitraries below draw them, the kept counterexamples spell them out. */
const steps = {
  schedule: (key: KeyName, disable: Disable) => step(`schedule(${key}, disable ${disable})`, (world) => world.schedule(key, disable)),
  deliverScheduling: (index: number) => step(`deliverScheduling(${index})`, async (world) => void (await world.deliverScheduling(index))),
  deliverUsage: (events: number) => step(`deliverUsage(${events})`, (world) => world.deliverUsage(events)),
  personCancels: (key: KeyName) => step(`personCancels(${key})`, (world) => world.personCancels(key)),
  personSets: (key: KeyName, state: 'Enabled' | 'Disabled') => step(`personSets(${key}, ${state})`, (world) => world.personSets(key, state)),
  crashNextClaim: () => step('crashNextClaim', async (world) => void (world.crashNextClaim = true)),
  kmsFault: (operation: string, type: string, times: number) =>
    step(`kmsFault(${operation}, ${type} x${times})`, async (world) =>
      world.fake.failNext(operation, times, type === 'KMSInternalException' ? { status: 500, type } : { status: 400, type }),
    ),
  storeFault: (fault: StoreFault, times: number) =>
    step(`storeFault(${fault} x${times})`, async (world) => void world.storeFaults.set(fault, (world.storeFaults.get(fault) ?? 0) + times)),
  switchToEnforce: () =>
    step(
      'switchToEnforce',
      async (world, model) => {
        world.mode = 'enforce';
        model.switched = true;
      },
      (model) => !model.switched,
    ),
  sweep: () =>
    step('sweep', async (world) => {
      world.advance(3_600_000);
      await world.sweep();
    }),
  advance: (minutes: number) => step(`advance(${minutes} min)`, async (world) => world.advance(minutes * 60_000)),
  flood: (key: KeyName, callers: number) => step(`flood(${key}, ${callers} callers)`, async (world) => world.flood(key, callers)),
};

const scheduleStep = fc.tuple(keyName, fc.constantFrom<Disable>('no', 'no', 'a-second-before', 'same-second')).map(([key, disable]) => steps.schedule(key, disable));
const deliverStep = fc.nat(20).map(steps.deliverScheduling);
const usageStep = fc.integer({ min: 1, max: 40 }).map(steps.deliverUsage);

// Repeated entries weigh the choice: schedulings and deliveries are what the faults interleave with.
const STEPS = [
  scheduleStep,
  scheduleStep,
  scheduleStep,
  deliverStep,
  deliverStep,
  deliverStep,
  usageStep,
  usageStep,
  keyName.map(steps.personCancels),
  fc.tuple(keyName, fc.constantFrom<'Enabled' | 'Disabled'>('Enabled', 'Disabled')).map(([key, state]) => steps.personSets(key, state)),
  fc.constant(steps.crashNextClaim()),
  fc
    .tuple(fc.constantFrom('DescribeKey', 'ListGrants', 'CancelKeyDeletion', 'EnableKey'), fc.constantFrom('ThrottlingException', 'AccessDeniedException', 'KMSInternalException'), fc.integer({ min: 1, max: 6 }))
    .map(([operation, type, times]) => steps.kmsFault(operation, type, times)),
  fc.tuple(fc.constantFrom<StoreFault>('decisions.claim', 'usage.getUsage', 'grants.listGrants', 'usage.record'), fc.integer({ min: 1, max: 3 })).map(([fault, times]) => steps.storeFault(fault, times)),
  fc.constant(steps.switchToEnforce()),
  fc.constant(steps.sweep()),
  fc.integer({ min: 1, max: 90 }).map(steps.advance),
  fc.tuple(keyName, fc.integer({ min: 1_000, max: 1_500 })).map(([key, callers]) => steps.flood(key, callers)),
];

describe('the deletion guard under generated interleavings of people, deliveries and faults', () => {
  let dynamo: DynamoDBDocumentClient;
  let tableName: string;
  let runs = 0;

  beforeAll(async () => {
    dynamo = dynamoTestClient();
    tableName = await createTestTable(dynamo);
  });
  afterAll(() => dynamo.destroy());

  /** Runs commands against a fresh world, settles it, and returns the violations (empty when every invariant held). */
  const runScenario = async (mode: 'dry-run' | 'enforce', steps: Iterable<Step>, ebsGrants = 700): Promise<string[]> => {
    runs += 1;
    const world = await SafetyWorld.start(runs, dynamo, tableName, mode, ebsGrants);
    try {
      await fc.asyncModelRun(() => ({ model: { switched: mode === 'enforce' }, real: world }), steps);
      await settle(world);
      return await checkInvariants(world, dynamo, tableName);
    } finally {
      await world.dispose();
    }
  };

  it('keeps I1–I4 whatever happens', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<'dry-run' | 'enforce'>('dry-run', 'enforce'), fc.commands(STEPS, { maxCommands: 24, size: 'medium' }), async (mode, steps) => {
        expect(await runScenario(mode, steps)).toEqual([]);
      }),
      { seed: 20_261_101, numRuns: 40, endOnFailure: false, plugins: [fc.interruptAfterTimeLimit(55_000)] },
    );
  });

  describe('shrunk counterexamples, kept', () => {
    it('does not re-enable a key scheduled again in the same second after the guard cancelled it (the first delivery crashed after its claim)', { timeout: 30_000 }, async () => {
      const found = [
        steps.personCancels('in-use'),
        steps.flood('in-use', 1165),
        steps.personCancels('ebs'),
        steps.schedule('in-use', 'no'),
        steps.switchToEnforce(),
        steps.flood('in-use', 697),
        steps.flood('in-use', 1033),
        steps.deliverScheduling(2),
        steps.storeFault('grants.listGrants', 3),
        steps.crashNextClaim(),
        steps.crashNextClaim(),
        steps.deliverScheduling(9),
        steps.schedule('in-use', 'same-second'),
        steps.deliverScheduling(18),
        steps.deliverUsage(20),
      ];
      expect(await runScenario('dry-run', found)).toEqual([]);
    });
  });
});
