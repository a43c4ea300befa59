/**
 * Checks the generated logs against the oracle without running the guard: every file parses, the shapes the
 * scenarios promise are there (gz, jsonl, non-KMS records, CreateKey per key but one), every triggering event of
 * test/replay/scenario-expectations.ts exists and concerns its key, and the key facts recount from the raw records.
 * Run: npx tsx events/scenarios/check.ts
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { EXPECTED_DECISIONS, EXPECTED_KEY_FACTS, SCENARIO_NOW } from '../../test/replay/scenario-expectations.js';
import { CUSTOM_KEY_STORE, KEYS, keyArnOf } from './generator/ids.js';

type CloudTrailRecord = Record<string, unknown> & { eventID: string; eventTime: string; eventName: string; eventSource: string };

const here = path.dirname(fileURLToPath(import.meta.url));
const problems: string[] = [];
const expect = (ok: boolean, problem: string): void => {
  if (!ok) problems.push(problem);
};

const walk = (directory: string): string[] =>
  readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(path.join(directory, entry.name)) : [path.join(directory, entry.name)],
  );

const files = walk(here).filter((file) => /\.(json|jsonl|json\.gz)$/.test(file));
const records: CloudTrailRecord[] = files.flatMap((file) => {
  const raw = readFileSync(file);
  const body = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  if (file.endsWith('.jsonl')) return body.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as CloudTrailRecord);
  return (JSON.parse(body) as { Records: CloudTrailRecord[] }).Records;
});
const distinct = [...new Map(records.map((record) => [record.eventID, record])).values()];

expect(files.some((file) => file.endsWith('.json.gz')), 'no .json.gz file');
expect(files.some((file) => file.endsWith('.jsonl')), 'no .jsonl file');
for (const source of ['sts.amazonaws.com', 's3.amazonaws.com', 'ec2.amazonaws.com', 'cloudhsm.amazonaws.com']) {
  expect(distinct.some((record) => record.eventSource === source), `no ${source} record`);
}
expect(distinct.every((record) => record.eventTime <= SCENARIO_NOW), 'a record after --now');

const keyArnsOf = (record: CloudTrailRecord): string[] =>
  Array.isArray(record.resources) ? (record.resources as { ARN?: string }[]).flatMap((resource) => resource.ARN ?? []) : [];

for (const key of Object.values(KEYS)) {
  const arn = keyArnOf(key);
  const creates = distinct.filter((record) => record.eventName === 'CreateKey' && keyArnsOf(record).includes(arn));
  expect(creates.length === (key === KEYS.oldUse ? 0 : 1), `${key.name}: ${creates.length} CreateKey records`);
  const aliases = distinct.filter((record) => record.eventName === 'CreateAlias' && keyArnsOf(record).includes(arn));
  expect(aliases.length === 1, `${key.name}: ${aliases.length} CreateAlias records`);
}

const byId = new Map(distinct.map((record) => [record.eventID, record]));
for (const decision of EXPECTED_DECISIONS) {
  if (decision.triggerEventId === undefined) continue;
  const trigger = byId.get(decision.triggerEventId);
  const concerns =
    trigger !== undefined &&
    (keyArnsOf(trigger).includes(decision.keyArn) || (decision.keyArn.includes(':custom-key-store/') && JSON.stringify(trigger).includes(CUSTOM_KEY_STORE.clusterId)));
  expect(concerns, `${decision.keyAlias} ${decision.decisiveReason}: trigger ${decision.triggerEventId} missing or about another key`);
}

const USAGE = new Set(['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncrypt', 'Sign', 'Verify', 'GetPublicKey']);
for (const facts of EXPECTED_KEY_FACTS) {
  const uses = distinct.filter((record) => USAGE.has(record.eventName) && !('errorCode' in record) && keyArnsOf(record).includes(facts.keyArn));
  const last = uses.map((record) => record.eventTime).sort().at(-1);
  expect(uses.length === facts.useCount, `${facts.keyAlias}: ${uses.length} uses in the logs, oracle says ${facts.useCount}`);
  expect(last !== undefined && Date.parse(last) === Date.parse(facts.lastUsedAt), `${facts.keyAlias}: last use ${last}, oracle says ${facts.lastUsedAt}`);
}

const weekAfterNow = Date.parse(SCENARIO_NOW) + 7 * 86_400_000;
for (const record of distinct.filter((candidate) => candidate.eventName === 'ScheduleKeyDeletion')) {
  const response = record.responseElements as { keyId: string; deletionDate?: string };
  if (response.deletionDate === undefined) continue;
  const deletion = Date.parse(`${response.deletionDate.replace(/, (\d+:\d+:\d+ [AP]M)$/, ' $1')} UTC`);
  const isReminderKey = response.keyId === keyArnOf(KEYS.deletionReminder);
  // A date already past (the key was deleted) has no reminder either.
  const reminded = deletion <= weekAfterNow && deletion > Date.parse(SCENARIO_NOW);
  expect(isReminderKey === reminded, `${response.keyId}: deletion ${response.deletionDate} vs the 7-day reminder`);
}

process.stdout.write(`${files.length} files, ${records.length} records (${distinct.length} distinct), ${EXPECTED_DECISIONS.length} expected decisions\n`);
if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exitCode = 1;
} else process.stdout.write('scenarios consistent with the oracle\n');
