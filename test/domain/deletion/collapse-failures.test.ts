import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collapseFailures } from '../../../lib/domain/deletion/collapse-failures.js';
import { jsonBytes } from '../../../lib/domain/size-budget.js';
import { MAX_FAILURE_CALLERS } from '../../../lib/domain/usage-bounds.js';
import { pendingDeletionFailure } from './kms-events.js';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const START = Date.parse('2026-06-01T12:00:00.000Z');

const failure = (caller: number, offsetMs: number, index: number) => ({
  ...pendingDeletionFailure(KEY, new Date(START + offsetMs), `failure-${index}`),
  caller: { principal: `arn:aws:iam::111122223333:role/app-${caller}`, principalType: 'AssumedRole' },
});

describe('collapsing a batch of calls failing on one key', () => {
  it('names or counts every distinct caller, stands for every call, starts at the earliest and stays small', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(300), fc.nat(86_400_000)), { minLength: 1, maxLength: 2_000, size: 'max' }), (calls) => {
        const events = calls.map(([caller, offset], index) => failure(caller, offset, index));
        const { representative, failure: collapsed } = collapseFailures(events);
        const distinct = new Set(calls.map(([caller]) => caller)).size;
        expect(collapsed.callers.length + (collapsed.callersOmitted ?? 0)).toBe(distinct);
        expect(collapsed.callers.length).toBeLessThanOrEqual(MAX_FAILURE_CALLERS);
        expect(collapsed.calls ?? 1).toBe(calls.length);
        expect(representative.eventTime).toBe(events.map((event) => event.eventTime).sort()[0]);
        expect(jsonBytes(collapsed)).toBeLessThan(8 * 1024);
      }),
      { seed: 13, numRuns: 60, interruptAfterTimeLimit: 5_000 },
    );
  });
});
