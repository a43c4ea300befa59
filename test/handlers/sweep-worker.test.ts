import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { InvalidRecordError } from '../../lib/errors.js';
import { buildSweepWorkerHandler, parseWorkItem } from '../../lib/handlers/sweep-worker.js';
import type { SweepWorkDeps } from '../../lib/use-cases/sweep-work-item.js';

const context = { getRemainingTimeInMillis: () => 900_000, functionName: 'sweep-worker', awsRequestId: 'req-1' } as Context;
const unused = (): never => {
  throw new Error('no KMS for a message that does not parse');
};

describe('the sweep worker handler', () => {
  it('names the field of a malformed work item, and fails it and every later item of the batch (FIFO order)', async () => {
    const deps = { directoryFor: unused, queue: { enqueue: unused }, clock: { now: () => new Date('2026-06-01T12:00:00Z') } } as unknown as SweepWorkDeps;
    const handler = buildSweepWorkerHandler({ ...deps, logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }) });
    // Would succeed on its own (superseded: nothing to call), so only the FIFO rule fails it.
    const valid = JSON.stringify({ kind: 'deletion-sweep', accountId: '111122223333', region: 'us-east-1', plannedAt: '2026-06-01T09:00:00.000Z', part: 0 });
    const alone = await handler({ Records: [{ messageId: 'b', body: valid }] }, context);
    expect(alone.batchItemFailures).toEqual([]);
    const response = await handler({ Records: [{ messageId: 'a', body: '{"kind":"deletion-sweep","accountId":"1"}' }, { messageId: 'b', body: valid }] }, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }]);
    expect(() => parseWorkItem('{"kind":"deletion-sweep","accountId":"1"}', 'SQS message a')).toThrow(InvalidRecordError);
    expect(() => parseWorkItem('{"kind":"deletion-sweep","accountId":"1"}', 'SQS message a')).toThrow(/SQS message a: .*accountId/s);
  });
});
