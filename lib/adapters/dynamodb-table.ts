/**
 * The single table: its schema (shared by CDK, the replay CLI and the tests) and its item keys.
 *
 * Items                                   pk                     sk                  gsi1pk (sparse)        gsi1sk
 *   raw usage of a key for one UTC day    KEY#<arn>              DAY#<YYYY-MM-DD>    -                      -
 *   the key record (state, tags…)         KEY#<arn>              STATE               PENDING_DELETION*      <arn>
 *   a grant                               KEY#<arn>              GRANT#<grantId>     ACTIVE_GRANT*          <arn>#<grantId>
 *   who last described it, made or retired KEY#<arn>             NON_USE             -                      -
 *     grants on it (grant evidence only)
 *   a decision                            DECISION#<id>          DECISION            DECISION               <decidedAt>#<id>
 *   what the guard watched (coverage)     COVERAGE#<acct>#<rgn>  COVERAGE            -                      -
 *   a trail object a backfill recorded    BACKFILL#<bucket>/<key> OBJECT             -                      -
 *   (* only while the key is pending deletion / the grant is active, so the index holds just those)
 *
 * listKeyArns is a Scan projecting pk: it runs at sweep cadence (hourly) over a few thousand keys, and a
 * GSI holding every key-day bucket would cost the same reads.
 * Day buckets carry `expiresAt` (epoch seconds, the table's TTL attribute): raw usage ages out after 400 days;
 * a closed grant expires 30 days after it closed (lib/domain/grants/closed-grant-retention.ts).
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const TTL_ATTRIBUTE = 'expiresAt';
export const GSI1 = 'gsi1';
export const USAGE_RETENTION_DAYS = 400;

export const GSI1_PENDING_DELETION = 'PENDING_DELETION';
export const GSI1_ACTIVE_GRANT = 'ACTIVE_GRANT';
export const GSI1_DECISION = 'DECISION';

export const keyPk = (keyArn: string): string => `KEY#${keyArn}`;
export const daySk = (day: string): string => `DAY#${day}`;
export const STATE_SK = 'STATE';
export const NON_USE_SK = 'NON_USE';
export const grantSk = (grantId: string): string => `GRANT#${grantId}`;
export const decisionPk = (decisionId: string): string => `DECISION#${decisionId}`;
export const DECISION_SK = 'DECISION';
export const coveragePk = (accountId: string, region: string): string => `COVERAGE#${accountId}#${region}`;
export const COVERAGE_SK = 'COVERAGE';
export const backfillObjectPk = (bucket: string, key: string): string => `BACKFILL#${bucket}/${key}`;
export const BACKFILL_OBJECT_SK = 'OBJECT';

/** The table as CreateTable wants it; CDK maps the same fields (pk/sk strings, gsi1, on-demand, TTL). */
export interface TableDefinition {
  readonly createTable: CreateTableCommandInput & { TableName: string };
  readonly timeToLiveAttribute: string;
}

export const tableDefinition = (tableName: string): TableDefinition => ({
  createTable: {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: GSI1,
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  },
  timeToLiveAttribute: TTL_ATTRIBUTE,
});

/**
 * The document client every store adapter expects: undefined optional fields are dropped rather than
 * rejected. Production (lib/runtime.ts), the CLI and the tests build theirs with this.
 */
export const createDocumentClient = (client: DynamoDBClient): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });

/** Creates the table (and its TTL setting) for the replay CLI and tests; production tables come from CDK. */
export const createTable = async (client: DynamoDBDocumentClient, tableName: string): Promise<string> => {
  const definition = tableDefinition(tableName);
  await client.send(new CreateTableCommand(definition.createTable));
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
    }),
  );
  return tableName;
};
