import { describe, expect, it } from 'vitest';
import type { KmsEvent } from '../../lib/domain/kms-event.js';
import { TimeOrderedEvents } from '../../lib/replay/time-order.js';

const event = (eventId: string, eventTime: string): KmsEvent => ({
  eventId,
  eventTime,
  eventName: 'Decrypt',
  eventSource: 'kms.amazonaws.com',
  category: 'api-call',
  region: 'us-east-1',
  accountId: '111122223333',
  keyArns: ['arn:aws:kms:us-east-1:111122223333:key/k'],
  caller: { principal: 'arn:aws:iam::111122223333:role/app', principalType: 'AssumedRole' },
  requestParameters: {},
  responseElements: {},
  additionalEventData: {},
});

const collect = async (ordered: TimeOrderedEvents): Promise<string[]> => {
  const ids: string[] = [];
  for await (const item of ordered.drain()) ids.push(item.eventId);
  return ids;
};

const shuffled = (count: number): KmsEvent[] => {
  const events = Array.from({ length: count }, (_, index) =>
    event(`e${String(index).padStart(5, '0')}`, new Date(Date.UTC(2025, 0, 1, 0, 0, Math.floor(index / 3))).toISOString()),
  );
  // A fixed permutation (multiplicative step coprime with the length) so the test is deterministic.
  return events.map((_, index) => events[(index * 7919) % count] as KmsEvent);
};

describe('TimeOrderedEvents', () => {
  it('yields events in eventTime order, ties broken by eventId, when everything fits in memory', async () => {
    const ordered = new TimeOrderedEvents();
    for (const item of shuffled(1000)) await ordered.add(item);

    const ids = await collect(ordered);

    expect(ids).toEqual([...ids].sort());
    expect(ids).toHaveLength(1000);
  });

  it('gives the same order when it spills sorted runs to disk and merges them', async () => {
    const inMemory = new TimeOrderedEvents();
    const spilled = new TimeOrderedEvents({ runSize: 97 });
    for (const item of shuffled(1000)) {
      await inMemory.add(item);
      await spilled.add(item);
    }

    const expected = await collect(inMemory);
    const actual = await collect(spilled);

    expect(actual).toEqual(expected);
  });
});
