/**
 * Sizes of what the guard stored, for the size-budget tests: every item of a table (a full Scan), measured as the
 * UTF-8 bytes of its JSON. That is a close upper bound of DynamoDB's own count for these string-heavy items; the
 * hard proof is that DynamoDB Local, which enforces the 400 KB limit, accepted the writes at all.
 */
import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { jsonBytes } from '../../lib/domain/size-budget.js';

export interface ItemSize {
  readonly pk: string;
  readonly sk: string;
  readonly bytes: number;
}

export const itemSizes = async (client: DynamoDBDocumentClient, tableName: string): Promise<ItemSize[]> => {
  const sizes: ItemSize[] = [];
  for await (const page of paginateScan({ client }, { TableName: tableName })) {
    for (const item of page.Items ?? []) sizes.push({ pk: String(item.pk), sk: String(item.sk), bytes: jsonBytes(item) });
  }
  return sizes.sort((a, b) => b.bytes - a.bytes);
};
