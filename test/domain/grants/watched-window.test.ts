import { describe, expect, it } from 'vitest';
import { watchedThroughout } from '../../../lib/domain/grants/watched-window.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const SINCE = '2026-05-02T12:00:00.000Z';
const WHERE = 'account 111122223333, eu-west-1';
const coverage = (watchedSince?: string, lastUsageEventAt?: string) => ({
  accountId: '111122223333',
  region: 'eu-west-1',
  ...(watchedSince === undefined ? {} : { watchedSince }),
  ...(lastUsageEventAt === undefined ? {} : { lastUsageEventAt }),
});

describe('watchedThroughout', () => {
  it('holds when usage was recorded from the start of the window and arrived within the last day', () => {
    expect(watchedThroughout(coverage(SINCE, '2026-06-01T02:00:00.000Z'), SINCE, NOW, WHERE)).toEqual({ watched: true });
  });

  it.each([
    ['no coverage at all', undefined, 'kms-guard has no record of watching usage in account 111122223333, eu-west-1'],
    ['watching began after the window did', coverage('2026-05-20T00:00:00.000Z', '2026-06-01T11:00:00.000Z'), 'only since 2026-05-20T00:00:00.000Z'],
    ['no usage event for more than a day', coverage('2026-01-01T00:00:00.000Z', '2026-05-31T11:59:59.000Z'), 'has arrived since 2026-05-31T11:59:59.000Z'],
    ['no usage event ever', coverage('2026-01-01T00:00:00.000Z'), 'has arrived since ever'],
  ])('fails with %s, saying why', (_label, given, why) => {
    const verdict = watchedThroughout(given, SINCE, NOW, WHERE);
    expect(verdict.watched).toBe(false);
    expect(!verdict.watched && verdict.why).toContain(why);
  });
});
