import { describe, expect, it } from 'vitest';
import { planBackfill } from '../../lib/backfill/backfill-plan.js';
import { decideCoverage } from '../../lib/backfill/coverage-decision.js';
import { BackfillInputError } from '../../lib/backfill/errors.js';
import { selectObject } from '../../lib/backfill/select-object.js';
import { parseTrailObjectKey } from '../../lib/backfill/trail-object-key.js';

const context = { runId: 'run-1', startedAt: '2026-11-29T12:00:00.000Z', bucket: 'trail', prefix: 'logs/', defaultConcurrency: 40 };
const plan = planBackfill({ since: '2026-08-01', accounts: '111122223333', regions: ['us-east-1'] }, context);
const key = (day: string, folder = 'CloudTrail', account = '111122223333', region = 'us-east-1') =>
  `logs/AWSLogs/o-a1b2c3d4e5/${account}/${folder}/${region}/${day.replace(/-/g, '/')}/${account}_${folder}_${region}_${day.replace(/-/g, '')}T0005Z_x.json.gz`;

describe('a backfill request', () => {
  it('is completed into a plan: the range up to the execution\'s start, sorted filters, the deployed prefix', () => {
    expect(plan).toEqual({ runId: 'run-1', bucket: 'trail', prefix: 'logs/', since: '2026-08-01T00:00:00.000Z', until: '2026-11-29T12:00:00.000Z', accounts: ['111122223333'], regions: ['us-east-1'], maxConcurrency: 40 });
    expect(planBackfill({ since: '90d' }, context).since).toBe('2026-08-31T12:00:00.000Z');
  });

  it.each([
    [{}, /since/],
    [{ since: 'last year' }, /since: not a date/],
    [{ since: '2026-12-01' }, /must be before until|in the future/],
    [{ since: '2026-08-01', until: '2026-07-01' }, /must be before until/],
    [{ since: '2026-08-01', accounts: ['1234'] }, /not a 12-digit account id/],
    [{ since: '2026-08-01', prefix: 'other/' }, /outside the deployed prefix/],
    [{ since: '2026-08-01', prefix: 'logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/' }, /at or above the Region folder/],
    [{ since: '2026-08-01', colour: 'blue' }, /colour/],
  ])('is refused naming the field: %j', (input, message) => {
    expect(() => planBackfill(input, context)).toThrow(BackfillInputError);
    expect(() => planBackfill(input, context)).toThrow(message);
  });
});

describe('a listed object', () => {
  it('is known by its key: log file, digest, Insights or anything else', () => {
    expect(parseTrailObjectKey(key('2026-09-01'))).toEqual({ kind: 'log', accountId: '111122223333', region: 'us-east-1', day: '2026-09-01' });
    expect(parseTrailObjectKey(key('2026-09-01', 'CloudTrail-Digest')).kind).toBe('digest');
    expect(parseTrailObjectKey(key('2026-09-01', 'CloudTrail-Insight')).kind).toBe('insight');
    expect(parseTrailObjectKey('logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/09/01/').kind).toBe('other');
    expect(parseTrailObjectKey('logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/09/01/notes.txt').kind).toBe('other');
  });

  it('is read when delivered from the first day of the range to a day after its end, for a requested account and Region', () => {
    expect(selectObject(plan, key('2026-08-01'))).toEqual({ selected: true, scope: '111122223333/us-east-1' });
    expect(selectObject(plan, key('2026-11-30')).selected).toBe(true);
    expect(selectObject(plan, key('2026-07-31'))).toMatchObject({ selected: false, reason: 'outside the range' });
    expect(selectObject(plan, key('2026-12-01'))).toMatchObject({ selected: false, reason: 'outside the range' });
    expect(selectObject(plan, key('2026-09-01', 'CloudTrail', '444455556666'))).toMatchObject({ selected: false, reason: 'account or Region not requested' });
    expect(selectObject(plan, key('2026-09-01', 'CloudTrail', '111122223333', 'eu-west-1'))).toMatchObject({ selected: false, reason: 'account or Region not requested' });
    expect(selectObject(plan, key('2026-09-01', 'CloudTrail-Digest'))).toMatchObject({ selected: false, reason: 'digest file' });
  });
});

describe('widening coverage after a run', () => {
  const counts = { records: 10, events: 8, recorded: 8, duplicates: 0, skipped: 2, rejected: 0 };
  const clean = { scope: '111122223333/us-east-1', totals: { recordedObjects: 3, alreadyRecordedObjects: 1, failedObjects: 0, counts }, failedBatches: 0, liveWatchedSince: '2026-11-20T00:00:00.000Z' };

  it('vouches for a scope read in full whose live tracking starts within the range', () => {
    expect(decideCoverage(plan, clean, undefined)).toEqual({ scope: clean.scope, widen: true });
  });

  it.each([
    ['the run failed', clean, 'the Map run failed', /Map run failed/],
    ['a batch failed', { ...clean, failedBatches: 1 }, undefined, /batch\(es\) of its objects failed/],
    ['an object was unreadable', { ...clean, totals: { ...clean.totals, failedObjects: 1 } }, undefined, /could not be read \(missing/],
    ['a record was rejected', { ...clean, totals: { ...clean.totals, counts: { ...counts, rejected: 1 } } }, undefined, /record\(s\) could not be read/],
    ['nothing was read', { ...clean, totals: undefined }, undefined, /no log file/],
    ['live tracking has not started', { ...clean, liveWatchedSince: undefined }, undefined, /has not recorded this account and Region yet/],
    ['live tracking starts after the range', { ...clean, liveWatchedSince: '2026-12-01T00:00:00.000Z' }, undefined, /after the range ends/],
  ])('does not when %s', (_label, evidence, runFailure, reason) => {
    const verdict = decideCoverage(plan, evidence, runFailure);
    expect(verdict.widen).toBe(false);
    expect(verdict.widen ? '' : verdict.reason).toMatch(reason);
  });
});
