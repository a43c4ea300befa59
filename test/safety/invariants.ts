/**
 * The safety model's invariants, checked when a run has settled (faults cleared, every event delivered, leases
 * expired, every scheduling delivered once more in the final mode, a sweep):
 * - I1: in enforce mode, a scheduling the rules judge risky ends with the key no longer pending deletion before its
 *   deletion date, or with a critical alert — never silence;
 * - I2: the guard never calls EnableKey on a key that was not Enabled just before the scheduling, nor after a person
 *   cancelled or disabled it (checked at each call, SafetyWorld.directory);
 * - I3: each scheduling yields exactly one published decision, whatever the size of its evidence (attempts whose
 *   KMS calls failed, and fail-closed publications while the store was down, come before it and do not count);
 * - I4: no stored item exceeds 400 KB and no published event 256 KB (the publisher refuses those, as EventBridge
 *   would), and every usage event was recorded in the end.
 */
import { type DynamoDBDocumentClient, QueryCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { decisionKey } from '../../lib/adapters/dynamodb-items.js';
import { COVERAGE_SK, coveragePk, keyPk } from '../../lib/adapters/dynamodb-table.js';
import { CLAIM_LEASE_MS } from '../../lib/domain/decision-claim.js';
import type { Decision } from '../../lib/domain/model.js';
import { DYNAMODB_ITEM_LIMIT_BYTES, jsonBytes } from '../../lib/domain/size-budget.js';
import { severityOf } from '../../lib/domain/slack-message.js';
import { KEY_NAMES, type SafetyWorld } from './deletion-guard-world.js';

/** What EventBridge, Lambda retries and the hourly sweep do, eventually, once the faults are gone. */
export const settle = async (world: SafetyWorld): Promise<void> => {
  world.fake.clearFaults();
  world.storeFaults.clear();
  world.crashNextClaim = false;
  // Until the buffer is empty, or three batches in a row record nothing (an item that can never be written).
  const drain = async () => {
    for (let stuck = 0; stuck < 3 && world.usageQueue.length > 0; ) {
      const before = world.usageQueue.length;
      await world.deliverUsage(1_000);
      stuck = world.usageQueue.length < before ? 0 : stuck + 1;
    }
  };
  await drain();
  world.advance(CLAIM_LEASE_MS + 60_000);
  for (const [index, scheduling] of world.schedulings.entries()) {
    // EventBridge delivers what it never delivered, and Lambda retries what failed (a DLQ redrive, in the end);
    // a delivery that completed is not repeated. One found in progress waits for the lease.
    for (let attempt = 0; attempt < 3 && scheduling.retryDue; attempt += 1) {
      if ((await world.deliverScheduling(index)) !== 'ok') world.advance(CLAIM_LEASE_MS + 60_000);
    }
  }
  await drain();
  world.advance(3_600_000);
  await world.sweep();
  await drain();
};

const isCritical = (decision: Decision): boolean => decision.action !== 'allow-deletion' && severityOf(decision) === 'critical';

/** A publication that is not the decision's final word: its KMS calls failed (retried), or the store was down. */
const isAttempt = (decision: Decision): boolean =>
  (decision.outcome ?? []).some((call) => call.result === 'failed') || decision.reasons[0] === 'decision-store-unavailable';

export const checkInvariants = async (world: SafetyWorld, dynamo: DynamoDBDocumentClient, tableName: string): Promise<string[]> => {
  const violations = [...world.violations];
  if (world.mode === 'enforce') {
    for (const name of KEY_NAMES) {
      const key = world.key(name);
      if (!world.isRisky(name) || !key.scheduled || world.fake.state(key.arn) !== 'PendingDeletion') continue;
      if (!world.published.some((decision) => decision.keyArn === key.arn && isCritical(decision))) {
        violations.push(`I1: ${name} is still pending deletion in enforce mode, and no critical alert says why`);
      }
    }
  }
  for (const scheduling of world.schedulings) {
    if (scheduling.deliveredIn.size === 0) violations.push(`I3: scheduling ${scheduling.eventId} of ${scheduling.key} never got a decision through`);
    for (const mode of ['dry-run', 'enforce'] as const) {
      // The scheduling's own decisions (not the sweep's, not the cancel-failed alerts), told apart by what they say.
      const final = world.published.filter(
        (decision) =>
          decision.eventId === scheduling.eventId && decision.dryRun === (mode === 'dry-run') && decision.reasons[0] !== 'cancel-failed' && !isAttempt(decision),
      );
      const expected = scheduling.deliveredIn.has(mode) ? 1 : 0;
      if (final.length !== expected) violations.push(`I3: scheduling ${scheduling.eventId} of ${scheduling.key} has ${final.length} ${mode} decisions published`);
    }
  }
  if (world.usageQueue.length > 0) violations.push(`I4: ${world.usageQueue.length} usage events could never be recorded`);
  for (const size of await storedSizes(world, dynamo, tableName)) {
    if (size.bytes >= DYNAMODB_ITEM_LIMIT_BYTES) violations.push(`I4: item ${size.pk} / ${size.sk} is ${size.bytes} bytes`);
  }
  return violations;
};

/** This run's items: its keys' partitions, its coverage, its decisions. */
const storedSizes = async (world: SafetyWorld, dynamo: DynamoDBDocumentClient, tableName: string) => {
  const items: Record<string, unknown>[] = [];
  for (const name of KEY_NAMES) {
    const { Items = [] } = await dynamo.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keyPk(world.key(name).arn) } }));
    items.push(...Items);
  }
  const singles = [{ pk: coveragePk(world.account, 'us-east-1'), sk: COVERAGE_SK }, ...new Set(world.published.map((decision) => decision.decisionId))].map((key) =>
    typeof key === 'string' ? decisionKey(key) : key,
  );
  for (const key of singles) {
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName, Key: key }));
    if (Item !== undefined) items.push(Item);
  }
  return items.map((item) => ({ pk: String(item.pk), sk: String(item.sk), bytes: jsonBytes(item) }));
};
