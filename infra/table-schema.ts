/**
 * Maps the adapter's CreateTable definition (lib/adapters/dynamodb-table.ts) to CDK table props, so the
 * deployed table and the one DynamoDB Local creates for tests and replay have the same keys and indexes.
 */
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { TableDefinition } from '../lib/adapters/dynamodb-table.js';
import { ConfigError } from '../lib/errors.js';

export interface CdkTableSchema {
  readonly partitionKey: dynamodb.Attribute;
  readonly sortKey?: dynamodb.Attribute;
  readonly globalSecondaryIndexes: dynamodb.GlobalSecondaryIndexProps[];
  readonly timeToLiveAttribute: string;
}

type KeySchema = readonly { AttributeName?: string; KeyType?: string }[] | undefined;

export const cdkTableSchema = (definition: TableDefinition): CdkTableSchema => {
  const { createTable } = definition;
  if (createTable.BillingMode !== 'PAY_PER_REQUEST') throw new ConfigError('the table definition must be on-demand (PAY_PER_REQUEST)');
  const types = new Map((createTable.AttributeDefinitions ?? []).map((item) => [item.AttributeName, item.AttributeType]));
  const attribute = (name: string | undefined): dynamodb.Attribute => {
    const type = types.get(name);
    if (name === undefined || type === undefined) throw new ConfigError(`table key attribute "${name}" has no attribute definition`);
    return { name, type: attributeType(type) };
  };
  const keys = (schema: KeySchema, owner: string) => {
    const hash = schema?.find((key) => key.KeyType === 'HASH');
    if (hash === undefined) throw new ConfigError(`${owner} has no HASH key`);
    const range = schema?.find((key) => key.KeyType === 'RANGE');
    return { partitionKey: attribute(hash.AttributeName), ...(range === undefined ? {} : { sortKey: attribute(range.AttributeName) }) };
  };
  return {
    ...keys(createTable.KeySchema, 'the table'),
    globalSecondaryIndexes: (createTable.GlobalSecondaryIndexes ?? []).map((index) => {
      if (index.IndexName === undefined) throw new ConfigError('a global secondary index has no name');
      return {
        indexName: index.IndexName,
        ...keys(index.KeySchema, `index ${index.IndexName}`),
        projectionType: projection(index.Projection?.ProjectionType),
        ...(index.Projection?.NonKeyAttributes === undefined ? {} : { nonKeyAttributes: index.Projection.NonKeyAttributes }),
      };
    }),
    timeToLiveAttribute: definition.timeToLiveAttribute,
  };
};

const attributeType = (type: string): dynamodb.AttributeType => {
  switch (type) {
    case 'S':
      return dynamodb.AttributeType.STRING;
    case 'N':
      return dynamodb.AttributeType.NUMBER;
    case 'B':
      return dynamodb.AttributeType.BINARY;
    default:
      throw new ConfigError(`unknown attribute type "${type}"`);
  }
};

const projection = (type: string | undefined): dynamodb.ProjectionType => {
  switch (type ?? 'ALL') {
    case 'ALL':
      return dynamodb.ProjectionType.ALL;
    case 'KEYS_ONLY':
      return dynamodb.ProjectionType.KEYS_ONLY;
    case 'INCLUDE':
      return dynamodb.ProjectionType.INCLUDE;
    default:
      throw new ConfigError(`unknown projection type "${type}"`);
  }
};
