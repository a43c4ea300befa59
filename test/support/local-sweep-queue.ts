/**
 * An in-process stand-in for the SQS FIFO work queue and its Lambda event source: messages of one group are
 * delivered one at a time in order, groups in parallel up to `concurrency`, a deduplication id is accepted once, and
 * a message that fails `maxReceiveCount` times moves to the dead-letter list, as SQS does with a redrive policy.
 */
import type { Context, SQSBatchResponse } from 'aws-lambda';
import type { SweepQueue } from '../../lib/domain/ports.js';
import { deduplicationIdOf, messageGroupOf, type SweepWorkItem } from '../../lib/domain/sweeps/work-item.js';

interface Message {
  readonly messageId: string;
  readonly body: string;
  receives: number;
}

export type SweepWorkerHandler = (event: unknown, context: Context) => Promise<SQSBatchResponse>;

export class LocalSweepQueue implements SweepQueue {
  private readonly groups = new Map<string, Message[]>();
  private readonly seen = new Set<string>();
  private nextId = 0;
  readonly deadLetters: SweepWorkItem[] = [];
  readonly delivered: SweepWorkItem[] = [];

  async enqueue(items: readonly SweepWorkItem[]): Promise<void> {
    for (const item of items) {
      const dedup = deduplicationIdOf(item);
      if (this.seen.has(dedup)) continue;
      this.seen.add(dedup);
      const group = messageGroupOf(item);
      this.groups.set(group, [...(this.groups.get(group) ?? []), { messageId: `m-${(this.nextId += 1)}`, body: JSON.stringify(item), receives: 0 }]);
    }
  }

  get depth(): number {
    return [...this.groups.values()].reduce((sum, messages) => sum + messages.length, 0);
  }

  /** Delivers until the queue is empty; `remainingMs` is what each invocation's context reports. */
  async drain(handler: SweepWorkerHandler, options: { readonly concurrency: number; readonly remainingMs: number; readonly maxReceiveCount?: number }): Promise<number> {
    const inFlight = new Set<string>();
    let invocations = 0;
    const context = { getRemainingTimeInMillis: () => options.remainingMs, functionName: 'sweep-worker', awsRequestId: 'local' } as Context;
    const runGroup = async (group: string): Promise<void> => {
      inFlight.add(group);
      try {
        for (let head = this.groups.get(group)?.[0]; head !== undefined; head = this.groups.get(group)?.[0]) {
          head.receives += 1;
          invocations += 1;
          this.delivered.push(JSON.parse(head.body) as SweepWorkItem);
          const response = await handler({ Records: [{ messageId: head.messageId, body: head.body }] }, context);
          const failed = response.batchItemFailures.some((failure) => failure.itemIdentifier === head?.messageId);
          if (!failed || head.receives >= (options.maxReceiveCount ?? 3)) {
            if (failed) this.deadLetters.push(JSON.parse(head.body) as SweepWorkItem);
            this.groups.get(group)?.shift();
          }
        }
      } finally {
        inFlight.delete(group);
      }
    };
    const running = new Set<Promise<void>>();
    while (this.depth > 0 || running.size > 0) {
      for (const [group, messages] of this.groups) {
        if (running.size >= options.concurrency) break;
        if (messages.length === 0 || inFlight.has(group)) continue;
        const run: Promise<void> = runGroup(group).finally(() => running.delete(run));
        running.add(run);
      }
      if (running.size > 0) await Promise.race(running);
    }
    return invocations;
  }
}
