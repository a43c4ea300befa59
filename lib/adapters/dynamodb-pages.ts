/** Query and Scan through every page. */
import {
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type ScanCommandInput,
  paginateQuery,
  paginateScan,
} from '@aws-sdk/lib-dynamodb';
import type { Item } from './dynamodb-occ.js';

export const queryAll = async (client: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> => {
  const items: Item[] = [];
  for await (const page of paginateQuery({ client }, input)) items.push(...(page.Items ?? []));
  return items;
};

export const scanAll = async (client: DynamoDBDocumentClient, input: ScanCommandInput): Promise<Item[]> => {
  const items: Item[] = [];
  for await (const page of paginateScan({ client }, input)) items.push(...(page.Items ?? []));
  return items;
};
