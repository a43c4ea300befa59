/**
 * A sweep at scale through the real worker path: the planner queues the work items, the worker handler sweeps them
 * with real KMS clients against the local KMS endpoint (one set of credentials per account, through a mocked STS
 * AssumeRole), which meters requests per calling account, Region and operation and throttles past the documented
 * quotas. Pacing runs on a simulated clock (the limiter's waits advance it), so hours of paced calls take seconds;
 * the simulated time is what the sweep would take at the paced rates. Shared by the scale test and the bench.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { KMS_REQUEST_QUOTAS } from '../../lib/adapters/kms-quotas.js';
import { createMemoryStores } from '../../lib/adapters/memory-stores.js';
import { DEFAULT_POLICY } from '../../lib/config.js';
import type { Decision } from '../../lib/domain/model.js';
import type { Clock } from '../../lib/domain/ports.js';
import { buildSweepWorkerHandler } from '../../lib/handlers/sweep-worker.js';
import { planSweepRun } from '../../lib/use-cases/plan-sweep-run.js';
import { pacedDirectories } from '../../lib/wiring/sweeps.js';
import type { OperationRate } from './fake-kms-quotas.js';
import { FAKE_ACCOUNT_ID, FAKE_REGION, kmsClientFor, startFakeKms } from './fake-kms-server.js';
import { LocalSweepQueue } from './local-sweep-queue.js';

export interface SweepScaleOptions {
  readonly accounts: number;
  readonly keysPerAccount: number;
  /** Keys per account pending deletion (the rest Enabled). */
  readonly pendingPerAccount: number;
  /** What each worker invocation's context says is left; the worker stops 60 s before. */
  readonly remainingMs: number;
  /** The planned hour; the grant sweeps list every key where discoveryHourOf matches it. */
  readonly now: Date;
  readonly concurrency?: number;
  /** What is queued: the planner's hourly plan (default), or a grant sweep listing every key of every account. */
  readonly work?: 'hourly-plan' | 'grant-discovery';
}

export interface SweepScaleResult {
  readonly wallMs: number;
  /** How long the sweep takes at the paced rates (the simulated clock's advance). */
  readonly pacedMs: number;
  readonly rates: readonly OperationRate[];
  /** Keys DescribeKey was asked about, per account. */
  readonly described: ReadonlyMap<string, ReadonlySet<string>>;
  readonly keysPerAccount: ReadonlyMap<string, readonly string[]>;
  readonly pending: ReadonlySet<string>;
  readonly decisions: readonly Decision[];
  readonly invocations: number;
  readonly deadLetters: number;
  readonly kinds: ReadonlyMap<string, number>;
}

export const accountIdOf = (index: number): string => (index === 0 ? FAKE_ACCOUNT_ID : String(200000000000 + index));

export const runSweepScale = async (options: SweepScaleOptions): Promise<SweepScaleResult> => {
  let simMs = options.now.getTime() + 5 * 60_000;
  const clock: Clock = { now: () => new Date(simMs) };
  const sleep = async (ms: number): Promise<void> => {
    const wake = simMs + ms;
    await new Promise((resolve) => setImmediate(resolve));
    simMs = Math.max(simMs, wake);
  };
  const described = new Map<string, Set<string>>();
  const fake = await startFakeKms({
    now: () => options.now,
    accountOf: (accessKeyId) => (accessKeyId.startsWith('AKID') ? accessKeyId.slice(4) : FAKE_ACCOUNT_ID),
    quotas: KMS_REQUEST_QUOTAS,
    quotaClockMs: () => simMs,
    recordCalls: false,
    onCall: (call) => {
      if (call.operation !== 'DescribeKey' || call.accountId === undefined) return;
      const set = described.get(call.accountId) ?? new Set<string>();
      set.add(String(call.body.KeyId));
      described.set(call.accountId, set);
    },
  });
  const sts = mockClient(STSClient);
  try {
    sts.on(AssumeRoleCommand).callsFake(async (input: { RoleArn: string }) => ({
      Credentials: { AccessKeyId: `AKID${input.RoleArn.split(':')[4] ?? ''}`, SecretAccessKey: 'fake', SessionToken: 'fake', Expiration: new Date(Date.now() + 3_600_000) },
    }));
    const accountIds = Array.from({ length: options.accounts }, (_, index) => accountIdOf(index));
    const keysPerAccount = new Map<string, string[]>();
    const pending = new Set<string>();
    for (const accountId of accountIds) {
      const arns: string[] = [];
      for (let index = 0; index < options.keysPerAccount; index += 1) {
        const isPending = index < options.pendingPerAccount;
        const arn = fake.createKey({
          accountId,
          creationDate: '2025-01-01T00:00:00Z',
          ...(isPending ? { state: 'PendingDeletion', deletionDate: new Date(options.now.getTime() + 10 * 86_400_000) } : {}),
        });
        if (isPending) pending.add(arn);
        arns.push(arn);
      }
      keysPerAccount.set(accountId, arns);
    }
    const stores = createMemoryStores();
    const decisions: Decision[] = [];
    const queue = new LocalSweepQueue();
    const config = { accountId: FAKE_ACCOUNT_ID, region: FAKE_REGION, remediationRoleName: 'kms-guard-remediation', sweepKmsBudgetPercent: 20 };
    const shared = {
      ...stores,
      publisher: { publish: async (batch: readonly Decision[]) => void decisions.push(...batch) },
      clock,
      mode: 'enforce' as const,
      policy: DEFAULT_POLICY,
      historySettle: { timeoutMs: 0, intervalMs: 0 },
    };
    const handler = buildSweepWorkerHandler({
      deletion: shared,
      grants: shared,
      queue,
      clock,
      logger: new Logger({ serviceName: 'kms-guard-bench', logLevel: (process.env.SWEEP_LOG as 'ERROR' | undefined) ?? 'SILENT' }),
      directoryFor: pacedDirectories(config, {
        sts: new STSClient({ region: FAKE_REGION }),
        createKmsClient: (clientConfig) =>
          kmsClientFor(fake, { ...(clientConfig.credentials === undefined ? {} : { credentials: clientConfig.credentials }), region: FAKE_REGION, requestTimeoutMs: 10_000 }),
        bucketOptions: { nowMs: () => simMs, sleep },
      }),
    });
    const started = performance.now();
    const pacedFrom = simMs;
    if (options.work === 'grant-discovery') {
      const plannedAt = options.now.toISOString();
      await queue.enqueue(accountIds.map((accountId) => ({ kind: 'grant-sweep', scope: 'all-keys', accountId, region: FAKE_REGION, plannedAt, part: 0 })));
    } else {
      await planSweepRun({ guardAccountId: FAKE_ACCOUNT_ID, region: FAKE_REGION, memberAccountIds: accountIds.slice(1), queue, clock: { now: () => options.now } });
    }
    const invocations = await queue.drain(handler, { concurrency: options.concurrency ?? 20, remainingMs: options.remainingMs });
    const kinds = new Map<string, number>();
    for (const item of queue.delivered) kinds.set(`${item.kind}${item.scope === undefined ? '' : `/${item.scope}`}`, (kinds.get(`${item.kind}${item.scope === undefined ? '' : `/${item.scope}`}`) ?? 0) + 1);
    return {
      wallMs: performance.now() - started,
      pacedMs: simMs - pacedFrom,
      rates: fake.rates(),
      described,
      keysPerAccount,
      pending,
      decisions,
      invocations,
      deadLetters: queue.deadLetters.length,
      kinds,
    };
  } finally {
    sts.restore();
    await fake.close();
  }
};
