/**
 * The system the safety model drives: the deletion guard, usage tracker and deletion sweep handlers, against one
 * DynamoDB Local table and a local KMS endpoint of its own, with the faults the model injects (KMS errors, store
 * errors, a crash between claim and act) and the oracle's bookkeeping (what people did, what was delivered, what
 * was published). Each run gets its own account, so runs sharing the table never see each other's coverage.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { CancelKeyDeletionCommand, DisableKeyCommand, EnableKeyCommand, ScheduleKeyDeletionCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { DynamoDbDecisionStore } from '../../lib/adapters/dynamodb-decision-store.js';
import { DynamoDbGrantStore } from '../../lib/adapters/dynamodb-grant-store.js';
import { stateKey } from '../../lib/adapters/dynamodb-items.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { KmsKeyDirectory } from '../../lib/adapters/kms-key-directory.js';
import { DEFAULT_POLICY } from '../../lib/config.js';
import type { Decision } from '../../lib/domain/model.js';
import type { DecisionStore, GrantStore, KeyDirectory, UsageStore } from '../../lib/domain/ports.js';
import { buildDeletionGuardHandler } from '../../lib/handlers/deletion-guard.js';
import { sweepPendingDeletions } from '../../lib/use-cases/sweep-pending-deletions.js';
import { buildUsageTrackerHandler } from '../../lib/handlers/usage-tracker.js';
import { kmsClientFor, startFakeKms, type FakeKms } from '../support/fake-kms-server.js';
import { crashing, faulty, sizeCheckedPublisher, type StoreFault } from './faulty-ports.js';
import { eventBridgeEvent, GUARD, Ids, kmsRecord, scheduleKeyDeletionRecord, type CloudTrailRecord, type RecordCaller } from './records.js';

export const START = new Date('2026-06-01T12:00:00.000Z');
const DAY_MS = 86_400_000;
const logger = new Logger({ serviceName: 'kms-guard-safety', logLevel: 'SILENT' });
const context = { functionName: 'safety', awsRequestId: 'safety', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

export type KeyName = 'in-use' | 'ebs' | 'exempt';
export const KEY_NAMES: readonly KeyName[] = ['in-use', 'ebs', 'exempt'];
/** The rules judge these risky: recent use, and a key EBS volumes hold grants on. */
const RISKY: ReadonlySet<KeyName> = new Set(['in-use', 'ebs']);

export type { StoreFault } from './faulty-ports.js';

interface KeyOracle {
  readonly name: KeyName;
  readonly arn: string;
  /** The state just before the scheduling in force, when it was Enabled. */
  enabledBeforeScheduling: boolean;
  /** A person cancelled or disabled the key since that scheduling. */
  personActed: boolean;
  scheduled: boolean;
}

interface Scheduling {
  readonly eventId: string;
  readonly key: KeyName;
  readonly record: CloudTrailRecord;
  /** Modes in which a delivery completed: EventBridge retries only a delivery whose invocation failed. */
  readonly deliveredIn: Set<'dry-run' | 'enforce'>;
  /** The latest delivery threw or crashed: it will be retried. */
  retryDue: boolean;
}


export class SafetyWorld {
  now = START;
  mode: 'dry-run' | 'enforce';
  readonly ids: Ids;
  readonly account: string;
  readonly keys = new Map<KeyName, KeyOracle>();
  readonly schedulings: Scheduling[] = [];
  readonly published: Decision[] = [];
  readonly violations: string[] = [];
  /** Events for the usage tracker, in arrival order (the SQS buffer). */
  readonly usageQueue: CloudTrailRecord[] = [];
  readonly storeFaults = new Map<StoreFault, number>();
  crashNextClaim = false;
  private seenCalls = 0;
  private constructor(
    readonly run: number,
    readonly fake: FakeKms,
    readonly kms: KMSClient,
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
    mode: 'dry-run' | 'enforce',
  ) {
    this.mode = mode;
    this.ids = new Ids(run);
    this.account = String(200_000_000_000 + run);
  }

  static async start(run: number, dynamo: DynamoDBDocumentClient, tableName: string, mode: 'dry-run' | 'enforce', ebsGrants: number): Promise<SafetyWorld> {
    let world: SafetyWorld | undefined;
    const fake = await startFakeKms({ now: () => world?.now ?? START });
    world = new SafetyWorld(run, fake, kmsClientFor(fake), dynamo, tableName, mode);
    await world.createKeys(ebsGrants);
    return world;
  }

  private async createKeys(ebsGrants: number): Promise<void> {
    const long = new Date(START.getTime() - 200 * DAY_MS);
    const history: CloudTrailRecord[] = [];
    for (const name of KEY_NAMES) {
      const arn = this.fake.createKey({ keyId: this.ids.id(), accountId: this.account, creationDate: long, ...(name === 'exempt' ? { tags: { 'kms-guard:allow-deletion': 'true' } } : {}) });
      this.keys.set(name, { name, arn, enabledBeforeScheduling: true, personActed: false, scheduled: false });
      history.push(kmsRecord(this.ids, 'CreateKey', arn, long));
      const usedDaysAgo = name === 'ebs' ? 200 : 10;
      history.push(kmsRecord(this.ids, 'Decrypt', arn, new Date(START.getTime() - usedDaysAgo * DAY_MS), { caller: { kind: 'role', role: 'app' }, readOnly: true }));
    }
    const ebs = this.key('ebs').arn;
    for (let index = 0; index < ebsGrants; index += 1) {
      this.fake.addGrant(ebs, {
        granteePrincipal: `arn:aws:sts::${this.account}:assumed-role/aws:ec2-infrastructure/i-${String(index).padStart(17, '0')}`,
        retiringPrincipal: 'ec2.us-east-1.amazonaws.com',
        operations: ['Decrypt'],
        constraints: { EncryptionContextSubset: { 'aws:ebs:id': `vol-${String(index).padStart(17, '0')}` } },
      });
    }
    this.usageQueue.push(...history);
    await this.deliverUsage(1_000);
  }

  key(name: KeyName): KeyOracle {
    const key = this.keys.get(name);
    if (key === undefined) throw new Error(`no key ${name}`);
    return key;
  }

  isRisky(name: KeyName): boolean {
    return RISKY.has(name);
  }

  /** Whole seconds only: CloudTrail has one-second resolution. */
  advance(ms: number): void {
    this.now = new Date(Math.floor((this.now.getTime() + ms) / 1_000) * 1_000);
  }

  // ---- The people ----
  // Their calls meet the same KMS as the guard's: a throttled call of theirs simply did not happen.

  private async personCall(send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch {
      return false;
    }
  }

  async schedule(name: KeyName, disableFirst: 'no' | 'a-second-before' | 'same-second'): Promise<void> {
    const key = this.key(name);
    const state = this.fake.state(key.arn);
    if (state !== 'Enabled' && state !== 'Disabled') return;
    if (disableFirst !== 'no' && state === 'Enabled') {
      if (disableFirst === 'a-second-before') this.advance(1_000);
      const disabledAt = this.now;
      if (await this.personCall(() => this.kms.send(new DisableKeyCommand({ KeyId: key.arn })))) {
        this.usageQueue.push(kmsRecord(this.ids, 'DisableKey', key.arn, disabledAt));
      }
      if (disableFirst === 'a-second-before') this.advance(1_000);
    }
    const enabled = this.fake.state(key.arn) === 'Enabled';
    if (!(await this.personCall(() => this.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.arn, PendingWindowInDays: 7 }))))) return;
    key.enabledBeforeScheduling = enabled;
    key.personActed = false;
    key.scheduled = true;
    const record = scheduleKeyDeletionRecord(this.ids, key.arn, this.now);
    this.usageQueue.push(record);
    this.schedulings.push({ eventId: String(record.eventID), key: name, record, deliveredIn: new Set(), retryDue: true });
  }

  async personCancels(name: KeyName): Promise<void> {
    const key = this.key(name);
    if (this.fake.state(key.arn) !== 'PendingDeletion') return;
    if (!(await this.personCall(() => this.kms.send(new CancelKeyDeletionCommand({ KeyId: key.arn }))))) return;
    key.personActed = true;
    this.usageQueue.push(kmsRecord(this.ids, 'CancelKeyDeletion', key.arn, this.now));
  }

  async personSets(name: KeyName, state: 'Enabled' | 'Disabled'): Promise<void> {
    const key = this.key(name);
    const current = this.fake.state(key.arn);
    if (current !== 'Enabled' && current !== 'Disabled') return;
    const command = state === 'Enabled' ? new EnableKeyCommand({ KeyId: key.arn }) : new DisableKeyCommand({ KeyId: key.arn });
    if (!(await this.personCall(() => this.kms.send(command)))) return;
    if (state === 'Disabled') key.personActed = true;
    this.usageQueue.push(kmsRecord(this.ids, state === 'Enabled' ? 'EnableKey' : 'DisableKey', key.arn, this.now));
  }

  /** Distinct failing callers with long role paths (IAM allows 512 characters), all in one day's bucket: a hostile flood. */
  flood(name: KeyName, callers: number): void {
    const arn = this.key(name).arn;
    for (let index = 0; index < callers; index += 1) {
      const caller: RecordCaller = { kind: 'role', role: `${'path/'.repeat(60)}flood-${index}` };
      this.usageQueue.push(kmsRecord(this.ids, 'Decrypt', arn, this.now, { caller, readOnly: true, error: { code: 'AccessDeniedException', message: 'not authorized' } }));
    }
  }

  // ---- Deliveries ----

  /** Delivers a scheduling to the deletion guard (again, when it was delivered before). A throw or a crash leaves it to be retried. */
  async deliverScheduling(index: number): Promise<'ok' | 'threw' | 'crashed'> {
    const scheduling = this.schedulings[index % Math.max(1, this.schedulings.length)];
    if (scheduling === undefined) return 'ok';
    const handler = buildDeletionGuardHandler({ ...this.ports(), config: { mode: this.mode, policy: DEFAULT_POLICY }, logger });
    const outcome = await this.untilCrash(handler(eventBridgeEvent(this.ids, scheduling.record), context));
    if (outcome === 'ok') scheduling.deliveredIn.add(this.mode);
    scheduling.retryDue = outcome !== 'ok';
    this.mirrorGuardCalls();
    return outcome;
  }

  async sweep(): Promise<void> {
    // The sweep worker runs this use case per account and Region (lib/use-cases/sweep-work-item.ts).
    await this.untilCrash(sweepPendingDeletions({ ...this.ports(), keyDirectories: () => [this.directory()], mode: this.mode, policy: DEFAULT_POLICY }));
    this.mirrorGuardCalls();
  }

  /** The usage tracker takes up to `max` events from the front of the buffer; what it could not record goes back. */
  async deliverUsage(max: number): Promise<void> {
    const batch = this.usageQueue.splice(0, max);
    if (batch.length === 0) return;
    const messages = batch.map((record, index) => ({ messageId: `m-${index}`, body: JSON.stringify(eventBridgeEvent(this.ids, record)), eventSource: 'aws:sqs', attributes: {}, messageAttributes: {} }));
    const handler = buildUsageTrackerHandler({ usage: this.ports().usage, logger });
    let failed: ReadonlySet<string>;
    try {
      const response = (await handler({ Records: messages }, context)) as SQSBatchResponse;
      failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    } catch {
      failed = new Set(messages.map((message) => message.messageId));
    }
    this.usageQueue.unshift(...batch.filter((_, index) => failed.has(`m-${index}`)));
  }

  /** Races an invocation against the crash fault: a crashed invocation never completes (its Lambda died). */
  private async untilCrash(invocation: Promise<unknown>): Promise<'ok' | 'threw' | 'crashed'> {
    let signal: (() => void) | undefined;
    const crashed = new Promise<'crashed'>((resolve) => {
      signal = () => resolve('crashed');
    });
    this.onCrash = signal;
    try {
      return await Promise.race([invocation.then(() => 'ok' as const, () => 'threw' as const), crashed]);
    } finally {
      this.onCrash = undefined;
    }
  }

  private onCrash: (() => void) | undefined;

  /** The guard's own DescribeKey calls come back through the usage rule as read-only events: a heartbeat. */
  private mirrorGuardCalls(): void {
    const described = new Set<string>();
    for (const call of this.fake.calls.slice(this.seenCalls)) {
      if (call.operation === 'DescribeKey' && typeof call.body.KeyId === 'string') described.add(call.body.KeyId);
    }
    this.seenCalls = this.fake.calls.length;
    const ours = new Set([...this.keys.values()].map((key) => key.arn));
    for (const keyArn of described) if (ours.has(keyArn)) this.usageQueue.push(kmsRecord(this.ids, 'DescribeKey', keyArn, this.now, { caller: GUARD, readOnly: true }));
  }

  // ---- The ports, with faults and the I2/I4 checks ----

  private ports() {
    const usage = new DynamoDbUsageStore(this.dynamo, this.tableName);
    const grants = new DynamoDbGrantStore(this.dynamo, this.tableName);
    const decisions = new DynamoDbDecisionStore(this.dynamo, this.tableName);
    const directory = this.directory();
    return {
      usage: faulty<UsageStore>(usage, { getUsage: 'usage.getUsage', record: 'usage.record' }, this.storeFaults),
      grants: faulty<GrantStore>(grants, { listGrants: 'grants.listGrants' }, this.storeFaults),
      decisions: crashing(
        faulty<DecisionStore>(decisions, { claim: 'decisions.claim' }, this.storeFaults),
        () => this.crashNextClaim,
        () => {
          this.crashNextClaim = false;
          this.onCrash?.();
        },
      ),
      publisher: sizeCheckedPublisher(this.published, (message) => this.violations.push(message)),
      clock: { now: () => this.now },
      keyDirectoryFor: () => directory,
      historySettle: { timeoutMs: 0, intervalMs: 0 },
    };
  }

  private directory(): KeyDirectory {
    const real = new KmsKeyDirectory(this.kms, { clock: { now: () => this.now } });
    const enableKey = real.enableKey.bind(real);
    const cancelKeyDeletion = real.cancelKeyDeletion.bind(real);
    // The guard's own repairs are CloudTrail events too, and reach the store through the usage buffer.
    const logged = (eventName: string, keyArn: string, outcome: { result: string }) => {
      if (outcome.result === 'ok') this.usageQueue.push(kmsRecord(this.ids, eventName, keyArn, this.now, { caller: GUARD }));
      return outcome;
    };
    return Object.assign(real, {
      cancelKeyDeletion: async (keyArn: string) => logged('CancelKeyDeletion', keyArn, await cancelKeyDeletion(keyArn)),
      enableKey: async (keyArn: string) => {
        const key = [...this.keys.values()].find((candidate) => candidate.arn === keyArn);
        if (key !== undefined && (!key.enabledBeforeScheduling || key.personActed)) {
          this.violations.push(`I2: EnableKey on ${key.name}, which was ${key.enabledBeforeScheduling ? 'cancelled or disabled by a person since' : 'not Enabled before its scheduling'}`);
        }
        return logged('EnableKey', keyArn, await enableKey(keyArn));
      },
    });
  }

  async dispose(): Promise<void> {
    // The table is shared by the runs: take this run's keys out of the store's pending-deletion index.
    await Promise.all([...this.keys.values()].map((key) => this.dynamo.send(new DeleteCommand({ TableName: this.tableName, Key: stateKey(key.arn) }))));
    this.kms.destroy();
    await this.fake.close();
  }
}
