/** Who made the call, and which AWS service acted for them. */
import { describe, expect, it } from 'vitest';
import { normaliseCaller } from '../../lib/ingest/caller.js';
import { parseRecord } from '../../lib/ingest/parse-record.js';
import { UserIdentitySchema } from '../../lib/ingest/schemas.js';
import { eventOf, loadSample, loadSampleLine } from './support.js';

const callerOf = (record: unknown) => eventOf(parseRecord(record, 'test', 0)).caller;
const identity = (value: unknown) => UserIdentitySchema.parse(value);

describe('the caller of a KMS call', () => {
  describe('is the role, never the session', () => {
    it('taken from sessionContext.sessionIssuer.arn', () => {
      const record = loadSample('18F-identity-lambda-functions/test_cloudtrail_records.sqs-body.eventbridge-event.json');

      expect(callerOf(record)).toEqual({ principal: 'arn:aws:iam::987654321098:role/logindotgov_idp_iam_role', principalType: 'AssumedRole' });
    });

    it('rebuilt from the assumed-role session ARN when there is no session issuer', () => {
      const record = loadSample('panther-labs-panther/cloud_trail_decrypt.json');
      delete (record.userIdentity as Record<string, unknown>).sessionContext;

      expect(callerOf(record).principal).toBe(
        'arn:aws:iam::888888888888:role/panther-app-LogProcessor-XXXXXXXXXXXX-FunctionRole-XXXXXXXXXX',
      );
    });

    it.each([
      ['no identity type', { arn: 'arn:aws:sts::111122223333:assumed-role/Deployer/ci-run-42' }],
      ['type AWSAccount', { type: 'AWSAccount', accountId: '111122223333', arn: 'arn:aws:sts::111122223333:assumed-role/Deployer/ci-run-42' }],
      ['type Unknown', { type: 'Unknown', arn: 'arn:aws:sts::111122223333:assumed-role/Deployer/ci-run-42' }],
    ])('folded by the session ARN’s shape under %s', (_label, userIdentity) => {
      const caller = normaliseCaller(identity(userIdentity), {}, 'us-east-1');

      expect(caller.principal).toBe('arn:aws:iam::111122223333:role/Deployer');
    });

    it('rebuilt in the session ARN’s partition', () => {
      const caller = normaliseCaller(
        identity({ type: 'AssumedRole', arn: 'arn:aws-cn:sts::111122223333:assumed-role/Deployer/ci-run-42' }),
        {},
        'cn-north-1',
      );

      expect(caller.principal).toBe('arn:aws-cn:iam::111122223333:role/Deployer');
    });
  });

  it('is the user ARN for an IAMUser, and the root ARN for Root', () => {
    const user = loadSample('awsdocs-kms-developer-guide/ct-disablekey.json');
    const root = structuredClone(user);
    root.userIdentity = { type: 'Root', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333' };

    expect(callerOf(user)).toEqual({ principal: 'arn:aws:iam::111122223333:user/Alice', principalType: 'IAMUser' });
    expect(callerOf(root)).toEqual({ principal: 'arn:aws:iam::111122223333:root', principalType: 'Root' });
  });

  it('is the other account’s root for a cross-account AWSAccount identity that gives only an account id', () => {
    const caller = normaliseCaller(identity({ type: 'AWSAccount', accountId: '444455556666', principalId: 'AIDAEXAMPLE' }), {}, 'us-east-1');

    expect(caller).toEqual({ principal: 'arn:aws:iam::444455556666:root', principalType: 'AWSAccount' });
  });

  it('is the service principal for an AWSService identity, with the service named', () => {
    const record = loadSample('panther-labs-panther/cloud_trail_generate_data_key.json');

    expect(callerOf(record)).toEqual({
      principal: 'cloudtrail.amazonaws.com',
      principalType: 'AWSService',
      service: 'cloudtrail',
      invokedBy: 'cloudtrail.amazonaws.com',
    });
  });

  it('is "unknown" of type "Unknown" when CloudTrail says nothing about the identity', () => {
    const record = loadSample('awsdocs-kms-developer-guide/ct-enablekey.json');
    delete record.userIdentity;

    expect(callerOf(record)).toEqual({ principal: 'unknown', principalType: 'Unknown' });
  });

  describe('names the service that acted', () => {
    const withContext = (context: Record<string, string>, field = 'encryptionContext') =>
      normaliseCaller(identity({ type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/Alice' }), { [field]: context }, 'us-east-1').service;

    it.each([
      [{ 'aws:ebs:id': 'vol-0894f908458cca170' }, 'ebs'],
      [{ 'aws:s3:arn': 'arn:aws:s3:::bucket/object' }, 's3'],
      [{ 'aws:rds:db-id': 'db-ABCDEFGHIJKL' }, 'rds'],
      [{ 'aws:lambda:FunctionArn': 'arn:aws:lambda:us-east-1:111122223333:function:f' }, 'lambda'],
      [{ 'aws:secretsmanager:arn': 'arn:aws:secretsmanager:us-east-1:111122223333:secret:s' }, 'secretsmanager'],
      [{ SecretARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:s', SecretVersionId: 'v1' }, 'secretsmanager'],
      [{ 'aws:dynamodb:tableName': 'orders' }, 'dynamodb'],
      [{ Department: 'Engineering' }, undefined],
    ])('from the encryption context %j', (context, service) => {
      expect(withContext(context)).toBe(service);
    });

    it('from ReEncrypt’s sourceEncryptionContext', () => {
      expect(withContext({ 'aws:ebs:id': 'vol-1' }, 'sourceEncryptionContext')).toBe('ebs');
    });

    it('as "ebs" for the aws:ec2-infrastructure role even without a context', () => {
      const record = loadSample('github-lab-writeups/fr-academy-lab__Decrypt-by-ec2-infrastructure-ebs-attach.json');
      delete record.requestParameters;

      expect(callerOf(record)).toEqual({
        principal: 'arn:aws:iam::715248393954:role/aws:ec2-infrastructure',
        principalType: 'AssumedRole',
        service: 'ebs',
        invokedBy: 'AWS Internal',
      });
    });

    it('from invokedBy, the host without ".amazonaws.com"', () => {
      const grant = loadSample('github-lab-writeups/fr-academy-lab__CreateGrant-by-ec2-for-ebs-attach.json');
      const lambda = loadSampleLine('github-lab-writeups/aws-kms-intro-lab__kms-records.jsonl', 1);
      delete (lambda.requestParameters as Record<string, unknown>).encryptionContext;

      expect(callerOf(grant)).toMatchObject({ principal: 'arn:aws:iam::715248393954:role/voclabs', service: 'ec2-frontend-api' });
      expect(callerOf(lambda)).toMatchObject({ service: 'lambda', invokedBy: 'lambda.amazonaws.com' });
    });

    it('from the context before invokedBy', () => {
      const record = loadSample('github-lab-writeups/fr-academy-lab__GenerateDataKeyWithoutPlaintext-by-ec2-create-volume.json');

      expect(callerOf(record)).toMatchObject({ service: 'ebs', invokedBy: 'ec2-frontend-api.amazonaws.com' });
    });

    describe('for a CloudTrail log file, an S3 object whose context names both CloudTrail and S3', () => {
      const logFileContext = {
        'aws:cloudtrail:arn': 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail',
        'aws:s3:arn': 'arn:aws:s3:::org-trail-logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/28/f.json.gz',
      };

      it('as "cloudtrail" when CloudTrail writes it (its real record)', () => {
        const record = loadSample('panther-labs-panther/cloud_trail_generate_data_key.json');

        expect(callerOf(record).service).toBe('cloudtrail');
      });

      it.each([
        ['invokedBy "AWS Internal"', { invokedBy: 'AWS Internal' }],
        ['no invokedBy', {}],
      ])('as "s3" when a reader decrypts it, %s', (_label, invoked) => {
        const reader = identity({ type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/auditor/alice', ...invoked });

        expect(normaliseCaller(reader, { encryptionContext: logFileContext }, 'us-east-1').service).toBe('s3');
      });

      it('whatever order the context keys come in', () => {
        const reversed = Object.fromEntries(Object.entries(logFileContext).reverse());
        const reader = identity({ type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/auditor/alice', invokedBy: 'AWS Internal' });

        expect(normaliseCaller(reader, { encryptionContext: reversed }, 'us-east-1').service).toBe('s3');
      });
    });

    it('never from "AWS Internal", which is kept as invokedBy only', () => {
      const record = loadSample('awsdocs-kms-developer-guide/ct-ec2two-2017-original.json');
      const grant = (record.Records as unknown[])[1];

      expect(callerOf(grant)).toEqual({
        principal: 'arn:aws:iam::123456789012:user/Alice',
        principalType: 'IAMUser',
        invokedBy: 'AWS Internal',
      });
    });
  });
});
