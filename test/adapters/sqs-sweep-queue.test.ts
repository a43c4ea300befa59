import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SqsSweepQueue, SweepEnqueueError } from '../../lib/adapters/sqs-sweep-queue.js';
import type { SweepWorkItem } from '../../lib/domain/sweeps/work-item.js';

const sqs = mockClient(SQSClient);
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/111122223333/kms-guard-sweeps.fifo';
const items = (count: number): SweepWorkItem[] =>
  Array.from({ length: count }, (_, index) => ({
    kind: index % 2 === 0 ? 'deletion-sweep' : 'grant-sweep',
    accountId: String(100000000000 + Math.floor(index / 2)),
    region: 'us-east-1',
    plannedAt: '2026-06-01T12:00:00.000Z',
    part: 0,
  }));

describe('the SQS sweep queue', () => {
  afterEach(() => sqs.reset());

  it('sends ten items per SendMessageBatch, grouped per sweep, account and Region, each with its deduplication id', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    await new SqsSweepQueue(new SQSClient({ region: 'us-east-1' }), QUEUE).enqueue(items(23));
    const batches = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries ?? []);
    expect(batches.map((entries) => entries.length)).toEqual([10, 10, 3]);
    expect(batches[0]?.[1]).toMatchObject({
      MessageGroupId: 'grant-sweep/100000000000/us-east-1',
      MessageDeduplicationId: 'grant-sweep/all/100000000000/us-east-1/2026-06-01T12:00:00.000Z/0',
    });
    expect(new Set(batches.flat().map((entry) => entry.MessageDeduplicationId)).size).toBe(23);
  });

  it('sends a failed entry once more, and throws for one that still fails after queuing the rest', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }, { Id: '2', Code: 'InvalidParameterValue', SenderFault: true }] })
      .resolves({ Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] });
    const enqueue = new SqsSweepQueue(new SQSClient({ region: 'us-east-1' }), QUEUE).enqueue(items(3));
    await expect(enqueue).rejects.toBeInstanceOf(SweepEnqueueError);
    await expect(enqueue).rejects.toThrow(/2 sweep work item/);
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.map((call) => (call.args[0].input.Entries ?? []).map((entry) => entry.Id))).toEqual([['0', '1', '2'], ['1']]);
  });
});
