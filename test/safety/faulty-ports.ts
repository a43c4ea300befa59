/**
 * The faults the safety model injects at the ports: a store method that throws while its fault count lasts, a
 * decision store whose claimer dies once its claim is written, and a publisher that refuses what EventBridge would.
 */
import { toDecisionEventEntry } from '../../lib/domain/decision-events.js';
import type { Decision } from '../../lib/domain/model.js';
import type { DecisionPublisher, DecisionStore } from '../../lib/domain/ports.js';
import { EVENTBRIDGE_EVENT_LIMIT_BYTES, jsonBytes } from '../../lib/domain/size-budget.js';

export type StoreFault = 'decisions.claim' | 'usage.getUsage' | 'grants.listGrants' | 'usage.record';

const storeDown = (): Error => Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' });

/** `store` whose methods named in `faults` throw as long as `counts` holds a count for their fault. */
export const faulty = <T extends object>(store: T, faults: Partial<Record<keyof T, StoreFault>>, counts: Map<StoreFault, number>): T =>
  new Proxy(store, {
    get: (target, property, receiver) => {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const fault = faults[property as keyof T];
      return async (...args: unknown[]) => {
        const left = fault === undefined ? 0 : (counts.get(fault) ?? 0);
        if (fault !== undefined && left > 0) {
          counts.set(fault, left - 1);
          throw storeDown();
        }
        return (value as (...params: unknown[]) => unknown).apply(target, args);
      };
    },
  });

/** When `crashDue()` says so, a claim that was written never returns: the invocation died between claim and act. */
export const crashing = (decisions: DecisionStore, crashDue: () => boolean, crashed: () => void): DecisionStore => ({
  claim: async (decision) => {
    const claimed = await decisions.claim(decision);
    if (!claimed || !crashDue()) return claimed;
    crashed();
    return new Promise<boolean>(() => {});
  },
  complete: (id, outcome) => decisions.complete(id, outcome),
  get: (id) => decisions.get(id),
  list: () => decisions.list(),
});

/** EventBridge refuses an event over 256 KB: so does this publisher, and it reports the violation (I4). */
export const sizeCheckedPublisher = (published: Decision[], violation: (message: string) => void): DecisionPublisher => ({
  publish: async (batch) => {
    for (const decision of batch) {
      const bytes = jsonBytes(toDecisionEventEntry(decision));
      if (bytes > EVENTBRIDGE_EVENT_LIMIT_BYTES) {
        violation(`I4: decision ${decision.decisionId} is ${bytes} bytes, over EventBridge's limit`);
        throw Object.assign(new Error('Total size of the entries in the request is over the limit'), { name: 'ValidationException' });
      }
    }
    published.push(...batch);
  },
});
