/**
 * The in-memory table refuses exactly the items DynamoDB refuses: items of every attribute type, padded to
 * itemSize = 400 KB and to one byte more, are written to DynamoDB Local and to the in-memory table.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ITEM_BYTES, itemSize } from '../../lib/adapters/item-size.js';
import { ItemTooLargeError, MemoryTable } from '../../lib/adapters/memory-table.js';
import { createTestTable, dynamoTestClient } from '../support/dynamodb-local.js';

const client = dynamoTestClient();
let tableName: string;
beforeAll(async () => {
  tableName = await createTestTable(client);
});
afterAll(() => client.destroy());

const SHAPES: Readonly<Record<string, Record<string, unknown>>> = {
  strings: { type: 'usage', note: 'plain ascii' },
  'non-ASCII strings': { nom: 'clé été — 鍵', 'clé': 'ü' },
  numbers: { version: 12, count: 1234567, ratio: 0.125, big: 4503599627370496, small: 1e-7, negative: -0.0005, zero: 0 },
  'booleans and null': { created: true, gone: false, eniIp: null },
  'maps and lists': {
    data: { counts: { Decrypt: 3, Encrypt: 1 }, callers: { 'arn:aws:iam::1:role/a': { count: 2, operations: ['Decrypt', 'Encrypt'] } }, empty: {} },
    seen: ['a1', 'b2', 'c3'],
    nested: [[1, 2], { x: [] }, null, true],
  },
};

/** The shape with a padding string that brings the whole item to `size` bytes. */
const itemOf = (shape: Record<string, unknown>, id: string, size: number): Record<string, unknown> => {
  const base = { pk: `SIZE#${id}`, sk: 'ITEM', ...shape, pad: '' };
  return { ...base, pad: 'p'.repeat(size - itemSize(base)) };
};

const putToDynamo = async (item: Record<string, unknown>): Promise<'accepted' | 'refused'> => {
  try {
    await client.send(new PutCommand({ TableName: tableName, Item: item }));
    return 'accepted';
  } catch (error) {
    if (error instanceof Error && /size has exceeded/i.test(error.message)) return 'refused';
    throw error;
  }
};

const putToMemory = (item: Record<string, unknown>): 'accepted' | 'refused' => {
  try {
    new MemoryTable().put(item as Record<string, unknown> & { pk: string; sk: string });
    return 'accepted';
  } catch (error) {
    if (error instanceof ItemTooLargeError) return 'refused';
    throw error;
  }
};

describe('an item of 400 KB', () => {
  it.each(Object.entries(SHAPES))('with %s is accepted by both, one byte more refused by both', async (name, shape) => {
    const atLimit = itemOf(shape, name, MAX_ITEM_BYTES);
    const over = itemOf(shape, `${name}-over`, MAX_ITEM_BYTES + 1);

    expect(itemSize(atLimit)).toBe(MAX_ITEM_BYTES);
    expect([await putToDynamo(atLimit), putToMemory(atLimit)]).toEqual(['accepted', 'accepted']);
    expect([await putToDynamo(over), putToMemory(over)]).toEqual(['refused', 'refused']);
  });
});
