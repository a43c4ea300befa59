// The anchor: what a user would otherwise run over the same files. DuckDB (@duckdb/node-api) reads every gzipped
// S3 log file and computes, per key, its uses (successful cryptographic calls), last use, distinct callers and
// daily counts. Prints {"keys", "uses", "keyDays", "perKey": {arn: {uses, lastUse}}} for the bench to compare.
import { DuckDBInstance } from '@duckdb/node-api';

const USAGE_OPERATIONS = ['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
  'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'VerifyMac', 'ReEncrypt', 'Sign', 'Verify', 'DeriveSharedSecret', 'GetPublicKey'];

const glob = `${process.argv[2].replaceAll("'", "''")}/**/*.json.gz`;
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const query = `
  WITH records AS (
    SELECT unnest(Records) AS r
    FROM read_json('${glob}', format = 'auto', maximum_object_size = 1073741824,
      columns = {Records: 'STRUCT(eventTime VARCHAR, eventName VARCHAR, errorCode VARCHAR,
        userIdentity STRUCT(arn VARCHAR, sessionContext STRUCT(sessionIssuer STRUCT(arn VARCHAR))),
        resources STRUCT(ARN VARCHAR)[])[]'})
  ), uses AS (
    SELECT r.resources[1].ARN AS key, r.eventTime AS used_at, substr(r.eventTime, 1, 10) AS day,
      coalesce(r.userIdentity.sessionContext.sessionIssuer.arn, r.userIdentity.arn) AS caller
    FROM records
    WHERE r.errorCode IS NULL AND r.eventName IN (${USAGE_OPERATIONS.map((name) => `'${name}'`).join(', ')})
  ), per_key AS (
    SELECT key, count(*) AS uses, max(used_at) AS last_use, count(DISTINCT caller) AS callers FROM uses GROUP BY key
  ), per_day AS (
    SELECT key, list({day: day, n: n} ORDER BY day) AS daily_counts
    FROM (SELECT key, day, count(*) AS n FROM uses GROUP BY key, day) GROUP BY key
  )
  SELECT key, uses, last_use, callers, daily_counts FROM per_key JOIN per_day USING (key) ORDER BY key`;
const reader = await connection.runAndReadAll(query);
const rows = reader.getRowObjectsJson();
const perKey = {};
let uses = 0;
let keyDays = 0;
for (const row of rows) {
  perKey[row.key] = { uses: Number(row.uses), lastUse: row.last_use, callers: Number(row.callers) };
  uses += Number(row.uses);
  keyDays += row.daily_counts.length;
}
process.stdout.write(`${JSON.stringify({ keys: rows.length, uses, keyDays, perKey })}\n`);
