/**
 * Size budgets. DynamoDB refuses an item over 400 KB and EventBridge an event over 256 KB; a refused write of
 * the guard's own state is a guard that fails open. Every item and event the guard writes stays under a budget
 * well below those limits: lists are capped with a count of what was left out.
 */

export const DYNAMODB_ITEM_LIMIT_BYTES = 400 * 1024;
export const EVENTBRIDGE_EVENT_LIMIT_BYTES = 256 * 1024;

/** A decision (stored as an item, published as an event) stays under this, whatever its evidence. */
export const DECISION_BUDGET_BYTES = 64 * 1024;

const encoder = new TextEncoder();

/** UTF-8 bytes of a value's JSON: close to (and for our shapes above) what DynamoDB and EventBridge count. */
export const jsonBytes = (value: unknown): number => encoder.encode(JSON.stringify(value) ?? '').length;

export interface Capped<T> {
  readonly kept: readonly T[];
  /** How many entries were left out. */
  readonly omitted: number;
}

/** The first `max` entries, and how many were left out. */
export const capList = <T>(items: readonly T[], max: number): Capped<T> =>
  items.length <= max ? { kept: items, omitted: 0 } : { kept: items.slice(0, max), omitted: items.length - max };
