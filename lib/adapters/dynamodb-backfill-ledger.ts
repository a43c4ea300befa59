/**
 * The backfill ledger on the single table: one item per trail object (its own partition, so millions of objects
 * never share one), holding the run that owns it, a lease, how far it got and whether it is done. Each change is
 * a version-conditioned write, so two runs never record the same object at once.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ZERO_COUNTS } from '../backfill/batch-result.js';
import { BackfillRetryableError } from '../backfill/errors.js';
import type { BackfillLedger, ObjectClaim, ObjectCounts, ObjectProgress, TrailObjectRef } from '../backfill/ports.js';
import type { Clock } from '../domain/ports.js';
import { BACKFILL_OBJECT_SK, TTL_ATTRIBUTE, USAGE_RETENTION_DAYS, backfillObjectPk } from './dynamodb-table.js';

export interface BackfillLedgerOptions {
  /** How long a claim keeps other runs away without a checkpoint. Default 20 minutes (a Lambda lasts 15 at most). */
  readonly leaseMs?: number;
}

interface LedgerItem {
  readonly status: 'in-progress' | 'done';
  readonly etag: string;
  readonly runId: string;
  readonly leaseExpiresAt: number;
  readonly recordsDone: number;
  readonly counts: ObjectCounts;
  readonly version: number;
}

export class DynamoDbBackfillLedger implements BackfillLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly bucket: string,
    private readonly clock: Clock,
    private readonly options: BackfillLedgerOptions = {},
  ) {}

  async claim(object: TrailObjectRef, runId: string): Promise<ObjectClaim> {
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const stored = await this.read(object);
      const same = stored !== undefined && stored.etag === etagOf(object);
      if (same && stored.status === 'done') return { kind: 'done', progress: progressOf(stored), runId: stored.runId };
      if (same && stored.runId !== runId && stored.leaseExpiresAt > this.now()) return { kind: 'busy', runId: stored.runId };
      // This run's own or an expired lease: go on from its checkpoint, which says what the table already holds
      // (starting over would record those chunks again). A new object, or one replaced since (another ETag): from 0.
      const progress = same ? progressOf(stored) : { recordsDone: 0, counts: ZERO_COUNTS };
      if (await this.write(object, stored, { status: 'in-progress', runId, progress })) return { kind: 'claimed', progress };
    }
    return { kind: 'busy', runId: 'another run' };
  }

  async checkpoint(object: TrailObjectRef, runId: string, progress: ObjectProgress): Promise<void> {
    await this.advance(object, runId, 'in-progress', progress);
  }

  async complete(object: TrailObjectRef, runId: string, progress: ObjectProgress): Promise<void> {
    await this.advance(object, runId, 'done', progress);
  }

  private async advance(object: TrailObjectRef, runId: string, status: LedgerItem['status'], progress: ObjectProgress): Promise<void> {
    const stored = await this.read(object);
    if (stored === undefined || stored.runId !== runId || stored.etag !== etagOf(object) || !(await this.write(object, stored, { status, runId, progress }))) {
      throw new BackfillRetryableError(`s3 object ${object.key} was taken over by run ${stored?.runId ?? 'unknown'}`);
    }
  }

  /** The conditional write; false when someone wrote in between. */
  private async write(object: TrailObjectRef, stored: LedgerItem | undefined, next: { status: LedgerItem['status']; runId: string; progress: ObjectProgress }): Promise<boolean> {
    const now = this.now();
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...this.key(object),
            type: 'backfill-object',
            status: next.status,
            etag: etagOf(object),
            runId: next.runId,
            leaseExpiresAt: next.status === 'done' ? 0 : now + (this.options.leaseMs ?? 20 * 60_000),
            recordsDone: next.progress.recordsDone,
            counts: next.progress.counts,
            version: (stored?.version ?? 0) + 1,
            // As long as the usage it recorded: a re-run must still find it done.
            [TTL_ATTRIBUTE]: Math.floor(now / 1000) + USAGE_RETENTION_DAYS * 86_400,
          },
          ...(stored === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: '#version = :version', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':version': stored.version } }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async read(object: TrailObjectRef): Promise<LedgerItem | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: this.key(object), ConsistentRead: true }));
    return Item as LedgerItem | undefined;
  }

  private key(object: TrailObjectRef) {
    return { pk: backfillObjectPk(this.bucket, object.key), sk: BACKFILL_OBJECT_SK };
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}

/** ListObjectsV2 and GetObject quote ETags; the Map's listing may not. */
const etagOf = (object: TrailObjectRef): string => (object.etag ?? '').replace(/^"|"$/g, '');

const progressOf = (item: LedgerItem): ObjectProgress => ({ recordsDone: item.recordsDone, counts: { ...ZERO_COUNTS, ...item.counts } });
