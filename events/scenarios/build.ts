/**
 * Writes the scenario histories as CloudTrail writes them to S3: {"Records":[...]} files per account, Region
 * and day under AWSLogs/, older days gzipped, plus one JSON Lines export that overlaps the S3 files (its records
 * are duplicates, as when a CloudTrail Lake export is dropped beside the trail's logs).
 * Deterministic: fixed ids and times. Run: npx tsx events/scenarios/build.ts
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { alertScenarios, disableIncident } from './generator/alert-scenarios.js';
import type { CloudTrailRecord } from './generator/cloudtrail-record.js';
import { deletionScenarios } from './generator/deletion-scenarios.js';
import { failClosedScenarios } from './generator/fail-closed-scenarios.js';
import { grantSafetyScenarios } from './generator/grant-safety-scenarios.js';
import { grantScenarios } from './generator/grant-scenarios.js';
import { mixedIdFor, SCENARIO_NOW } from './generator/ids.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Days before this are archived as .json.gz. */
const GZIP_BEFORE = '2026-07-01';

const text = (record: CloudTrailRecord, field: string): string => {
  const value = record[field];
  if (typeof value !== 'string') throw new Error(`generated record lacks ${field}: ${JSON.stringify(record).slice(0, 200)}`);
  return value;
};

const byTime = (a: CloudTrailRecord, b: CloudTrailRecord): number =>
  text(a, 'eventTime').localeCompare(text(b, 'eventTime')) || text(a, 'eventID').localeCompare(text(b, 'eventID'));

/** AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<account>_CloudTrail_<region>_<yyyymmdd>T<hhmm>Z_<16 chars>.json */
const logFilePath = (account: string, region: string, day: string, first: string): string => {
  const [year = '', month = '', date = ''] = day.split('-');
  const minutes = Math.floor(Number(first.slice(14, 16)) / 5) * 5;
  const stamp = `${year}${month}${date}T${first.slice(11, 13)}${String(minutes).padStart(2, '0')}Z`;
  const suffix = mixedIdFor(`file/${account}/${region}/${day}`, 16);
  const name = `${account}_CloudTrail_${region}_${stamp}_${suffix}.json${day < GZIP_BEFORE ? '.gz' : ''}`;
  return path.join('AWSLogs', account, 'CloudTrail', region, year, month, date, name);
};

const writeLogFiles = (records: readonly CloudTrailRecord[]): string[] => {
  const groups = new Map<string, CloudTrailRecord[]>();
  for (const record of records) {
    const group = `${text(record, 'recipientAccountId')}|${text(record, 'awsRegion')}|${text(record, 'eventTime').slice(0, 10)}`;
    groups.set(group, [...(groups.get(group) ?? []), record]);
  }
  const written: string[] = [];
  for (const [group, members] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const [account = '', region = '', day = ''] = group.split('|');
    const sorted = [...members].sort(byTime);
    const relative = logFilePath(account, region, day, text(sorted[0] ?? {}, 'eventTime'));
    const body = JSON.stringify({ Records: sorted });
    mkdirSync(path.join(here, path.dirname(relative)), { recursive: true });
    writeFileSync(path.join(here, relative), relative.endsWith('.gz') ? gzipSync(body) : body);
    written.push(relative);
  }
  return written;
};

const writeJsonLines = (relative: string, records: readonly CloudTrailRecord[]): string => {
  mkdirSync(path.join(here, path.dirname(relative)), { recursive: true });
  writeFileSync(path.join(here, relative), `${[...records].sort(byTime).map((record) => JSON.stringify(record)).join('\n')}\n`);
  return relative;
};

/** Every file written parses; every record names its event. */
const verify = (relative: string): number => {
  const raw = readFileSync(path.join(here, relative));
  const body = relative.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  const records: unknown[] = relative.endsWith('.jsonl')
    ? body.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as unknown)
    : ((JSON.parse(body) as { Records: unknown[] }).Records);
  for (const record of records) {
    if (typeof record !== 'object' || record === null || !('eventID' in record)) throw new Error(`${relative}: a record without eventID`);
  }
  return records.length;
};

const sizeOf = (directory: string): number =>
  readdirSync(directory, { withFileTypes: true }).reduce((total, entry) => {
    const full = path.join(directory, entry.name);
    return total + (entry.isDirectory() ? sizeOf(full) : statSync(full).size);
  }, 0);

const main = (): void => {
  for (const generated of ['AWSLogs', 'exports']) rmSync(path.join(here, generated), { recursive: true, force: true });
  const records = [...deletionScenarios(), ...grantScenarios(), ...grantSafetyScenarios(), ...alertScenarios(), ...failClosedScenarios()];
  const ids = new Set(records.map((record) => text(record, 'eventID')));
  if (ids.size !== records.length) throw new Error(`duplicate eventIDs among ${records.length} generated records`);
  const late = records.filter((record) => text(record, 'eventTime') > SCENARIO_NOW);
  if (late.length > 0) throw new Error(`${late.length} records after --now ${SCENARIO_NOW}`);

  const files = [
    ...writeLogFiles(records),
    writeJsonLines(path.join('exports', 'cloudtrail-lake-disabled-in-use-incident.jsonl'), disableIncident()),
  ];
  const total = files.reduce((sum, file) => sum + verify(file), 0);
  const bytes = sizeOf(path.join(here, 'AWSLogs')) + sizeOf(path.join(here, 'exports'));
  process.stdout.write(`${files.length} files, ${total} records (${records.length} distinct), ${Math.round(bytes / 1024)} KiB\n`);
};

main();
