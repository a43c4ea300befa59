/**
 * Duplicates and shuffling: the scenario histories (events/scenarios), replayed once in order and again with
 * records duplicated, shuffled and spread over several files (plain and gzipped JSON Lines, an S3-style
 * {"Records":[…]} file), through the real replay() and real DynamoDB stores, must leave exactly the same state:
 * the same key lines and the same decisions (action, keyArn, grant, reasons, reEnable, triggering event).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCustomKeyStoreRegistry } from '../../lib/adapters/dynamodb-custom-key-store-registry.js';
import { DynamoDbDecisionStore } from '../../lib/adapters/dynamodb-decision-store.js';
import { DynamoDbGrantStore } from '../../lib/adapters/dynamodb-grant-store.js';
import { DynamoDbUsageStore } from '../../lib/adapters/dynamodb-usage-store.js';
import { DEFAULT_POLICY } from '../../lib/config.js';
import type { Decision } from '../../lib/domain/model.js';
import { keyLines } from '../../lib/replay/report.js';
import { replay } from '../../lib/replay/replay.js';
import { seededRandom } from '../bench/synthetic-stream.js';
import { SCENARIO_EXEMPT_PRINCIPAL, SCENARIO_NOW } from '../replay/scenario-expectations.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';
import { repoRoot } from './samples.js';

type CloudTrailRecord = Record<string, unknown>;

const scenarioFiles = (directory: string): string[] =>
  readdirSync(directory)
    .sort()
    .flatMap((entry) => {
      const full = path.join(directory, entry);
      return statSync(full).isDirectory() ? scenarioFiles(full) : /\.(json|jsonl|gz)$/.test(entry) ? [full] : [];
    });

/** Every record of the scenario logs, the CloudTrail Lake export's duplicates included. */
const scenarioRecords = (): CloudTrailRecord[] =>
  scenarioFiles(path.join(repoRoot, 'events/scenarios')).flatMap((file) => {
    const text = (file.endsWith('.gz') ? gunzipSync(readFileSync(file)) : readFileSync(file)).toString('utf8');
    if (file.endsWith('.jsonl')) return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as CloudTrailRecord);
    return (JSON.parse(text) as { Records: CloudTrailRecord[] }).Records;
  });

const shuffle = <T>(items: readonly T[], random: () => number): T[] => {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
};

const jsonLines = (records: readonly CloudTrailRecord[]): string => records.map((record) => `${JSON.stringify(record)}\n`).join('');

/** What must not depend on arrival order. */
const decisionState = (decision: Decision) => ({
  decisionId: decision.decisionId,
  action: decision.action,
  keyArn: decision.keyArn,
  grantId: decision.grantId,
  reasons: decision.reasons,
  reEnable: decision.reEnable,
  eventId: decision.eventId,
});

describe('a duplicated and shuffled replay', () => {
  const client = dynamoTestClient();
  let directory: string;
  const records = scenarioRecords();

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'kms-guard-order-'));
  });
  afterAll(async () => {
    client.destroy();
    await rm(directory, { recursive: true, force: true });
  });

  const replayInto = async (paths: readonly string[]) => {
    const tableName = await createTestTable(client);
    const usage = new DynamoDbUsageStore(client, tableName);
    const summary = await replay(
      {
        usage,
        grants: new DynamoDbGrantStore(client, tableName),
        decisions: new DynamoDbDecisionStore(client, tableName),
        customKeyStores: new DynamoDbCustomKeyStoreRegistry(client, tableName),
        publisher: { publish: async () => {} },
        policy: { ...DEFAULT_POLICY, exemptPrincipals: [SCENARIO_EXEMPT_PRINCIPAL] },
      },
      paths,
      new Date(SCENARIO_NOW),
    );
    const decisions = summary.decisions.map(decisionState).sort((a, b) => a.decisionId.localeCompare(b.decisionId));
    return { summary, decisions, keys: await keyLines(usage) };
  };

  /** The reference: each eventID once, in eventTime order, in one file. */
  const orderedPass = async () => {
    const unique = [...new Map(records.map((record) => [String(record.eventID), record])).values()];
    unique.sort((a, b) => String(a.eventTime).localeCompare(String(b.eventTime)) || String(a.eventID).localeCompare(String(b.eventID)));
    const file = path.join(directory, 'ordered.jsonl');
    await writeFile(file, jsonLines(unique));
    return { unique: unique.length, ...(await replayInto([file])) };
  };

  let reference: Awaited<ReturnType<typeof orderedPass>>;
  beforeAll(async () => {
    reference = await orderedPass();
  }, 120_000);

  it('has a reference with decisions and keys to compare', () => {
    expect(reference.decisions.length).toBeGreaterThan(15);
    expect(reference.keys.length).toBeGreaterThan(15);
    expect(reference.summary.rejected).toBe(0);
  });

  it.each([1, 2])('leaves the state of one ordered pass (seed %i)', async (seed) => {
    const random = seededRandom(seed);
    const duplicated = records.flatMap((record) => (random() < 0.3 ? [record, record] : [record]));
    const mixed = shuffle(duplicated, random);
    const third = Math.ceil(mixed.length / 3);
    const caseDirectory = path.join(directory, `seed-${seed}`);
    const files = [path.join(caseDirectory, 'a.jsonl'), path.join(caseDirectory, 'b.jsonl.gz'), path.join(caseDirectory, 'c.json')];
    await rm(caseDirectory, { recursive: true, force: true });
    await mkdir(caseDirectory, { recursive: true });
    await writeFile(files[0] as string, jsonLines(mixed.slice(0, third)));
    await writeFile(files[1] as string, gzipSync(jsonLines(mixed.slice(third, 2 * third))));
    await writeFile(files[2] as string, JSON.stringify({ Records: mixed.slice(2 * third) }));

    const shuffled = await replayInto(files);

    expect(shuffled.summary.records).toBe(duplicated.length);
    expect(shuffled.summary.records).toBeGreaterThan(reference.unique);
    expect(shuffled.decisions).toEqual(reference.decisions);
    expect(shuffled.keys).toEqual(reference.keys);
  }, 120_000);
});
