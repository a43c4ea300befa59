/**
 * The sweep work queue (SQS FIFO): one message group per sweep kind, account and Region, so one account's sweep of
 * one kind runs one item at a time, and a deduplication id per item, so a re-sent item within five minutes is dropped.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SweepQueue } from '../domain/ports.js';
import { deduplicationIdOf, messageGroupOf, type SweepWorkItem } from '../domain/sweeps/work-item.js';
import { KmsGuardError } from '../errors.js';

export class SweepEnqueueError extends KmsGuardError {
  constructor(readonly failed: readonly string[]) {
    super(`could not queue ${failed.length} sweep work item(s): ${failed.join('; ')}`);
  }
}

/** SendMessageBatch takes at most ten entries. */
const BATCH = 10;

export class SqsSweepQueue implements SweepQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(items: readonly SweepWorkItem[]): Promise<void> {
    const failed: string[] = [];
    for (let start = 0; start < items.length; start += BATCH) {
      const batch = items.slice(start, start + BATCH);
      let pending = batch.map((item, index) => ({ item, id: String(index) }));
      // Entries SQS failed on a sender fault are sent once more; what still fails is thrown after the rest is queued.
      for (let attempt = 0; attempt < 2 && pending.length > 0; attempt += 1) {
        const response = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: pending.map(({ item, id }) => ({
              Id: id,
              MessageBody: JSON.stringify(item),
              MessageGroupId: messageGroupOf(item),
              MessageDeduplicationId: deduplicationIdOf(item),
            })),
          }),
        );
        const failedIds = new Map((response.Failed ?? []).map((entry) => [entry.Id, entry]));
        const retry = pending.filter(({ id }) => failedIds.has(id) && failedIds.get(id)?.SenderFault !== true);
        for (const { item, id } of pending) {
          const entry = failedIds.get(id);
          if (entry !== undefined && (entry.SenderFault === true || attempt === 1)) failed.push(`${deduplicationIdOf(item)}: ${entry.Code ?? 'failed'}`);
        }
        pending = retry;
      }
    }
    if (failed.length > 0) throw new SweepEnqueueError(failed);
  }
}
