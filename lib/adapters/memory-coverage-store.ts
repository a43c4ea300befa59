/** CoverageStore in the process: one item per account and Region, each bound kept as the DynamoDB store keeps it. */
import type { Coverage, CoverageStore } from '../domain/ports.js';
import { COVERAGE_SK, coveragePk } from './dynamodb-table.js';
import type { MemoryTable } from './memory-table.js';

export class MemoryCoverageStore implements CoverageStore {
  constructor(private readonly table: MemoryTable) {}

  async widenWatchedSince(accountId: string, region: string, since: string): Promise<void> {
    this.bound(accountId, region, 'watchedSince', since, (stored) => since < stored);
  }

  async recordUsageArrival(accountId: string, region: string, eventTime: string): Promise<void> {
    this.bound(accountId, region, 'lastUsageEventAt', eventTime, (stored) => eventTime > stored);
  }

  async getCoverage(accountId: string, region: string): Promise<Coverage | undefined> {
    const item = this.table.get(key(accountId, region));
    if (item === undefined) return undefined;
    return {
      accountId,
      region,
      ...(typeof item.watchedSince === 'string' ? { watchedSince: item.watchedSince } : {}),
      ...(typeof item.lastUsageEventAt === 'string' ? { lastUsageEventAt: item.lastUsageEventAt } : {}),
    };
  }

  /** Sets the attribute when absent or when `replaces` says the new value is further out. */
  private bound(accountId: string, region: string, attribute: string, value: string, replaces: (stored: string) => boolean): void {
    const stored = this.table.get(key(accountId, region));
    const current = stored?.[attribute];
    if (typeof current === 'string' && !replaces(current)) return;
    this.table.put({ ...stored, ...key(accountId, region), [attribute]: value, type: 'coverage', accountId, region });
  }
}

const key = (accountId: string, region: string) => ({ pk: coveragePk(accountId, region), sk: COVERAGE_SK });
