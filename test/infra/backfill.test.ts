import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOLERATED_FAILURE_PERCENTAGE } from '../../infra/constructs/backfill.js';
import { nagViolations } from '../../infra/nag.js';
import type { KmsGuardStack } from '../../infra/stacks/guard-stack.js';
import { resourcesOf, synthGuard, type Statement } from './synth.js';

const TRAIL_KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
let stack: KmsGuardStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = synthGuard({ backfillBucket: 'org-trail-logs', backfillPrefix: 'AWSLogs/o-a1b2c3d4e5/', backfillKmsKeyArn: TRAIL_KEY }));
}, 300_000);

interface MapState {
  Type: string;
  ItemReader: { Resource: unknown; Parameters: Record<string, unknown> };
  ItemSelector: Record<string, unknown>;
  ItemBatcher: Record<string, unknown>;
  ItemProcessor: { ProcessorConfig: Record<string, unknown>; StartAt: string; States: Record<string, { Retry?: { ErrorEquals: string[]; MaxAttempts: number }[] }> };
  ToleratedFailurePercentage: number;
  ResultWriter: { Resource: unknown; Parameters: Record<string, unknown>; WriterConfig: Record<string, unknown> };
  MaxConcurrencyPath: string;
  Catch: unknown[];
}

/** The state machine's definition with its tokens rendered as "<ref>" placeholders, parsed. */
const definition = (): { StartAt: string; States: Record<string, Record<string, unknown>> } => {
  const machine = Object.values(resourcesOf(template, 'AWS::StepFunctions::StateMachine'))[0]?.Properties;
  const join = (machine?.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return JSON.parse(join.map((part) => (typeof part === 'string' ? part : '<ref>')).join(''));
};

const policyStatements = (roleLogicalId: string): Statement[] =>
  Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties?.Roles).includes(roleLogicalId))
    .flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);

const roleId = (role: { node: { defaultChild?: unknown } }) => stack.getLogicalId(role.node.defaultChild as never);

describe('the backfill (with -c backfillBucket=…)', () => {
  it('is a Distributed Map over the S3 listing of the plan\'s prefix, batched, tolerant of a few failures, writing its results to S3', () => {
    const { StartAt, States } = definition();
    const map = States.Backfill as unknown as MapState;

    expect(StartAt).toBe('Plan');
    expect(map.Type).toBe('Map');
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.ItemReader.Resource).toBe('arn:<ref>:states:::s3:listObjectsV2');
    expect(map.ItemReader.Parameters).toEqual({ Bucket: 'org-trail-logs', 'Prefix.$': '$.plan.prefix' });
    expect(map.ItemSelector).toEqual({ 'object.$': '$$.Map.Item.Value', 'plan.$': '$.plan' });
    expect(map.ItemBatcher).toEqual({ MaxItemsPerBatch: 20 });
    expect(map.MaxConcurrencyPath).toBe('$.plan.maxConcurrency');
    expect(map.ToleratedFailurePercentage).toBe(TOLERATED_FAILURE_PERCENTAGE);
    expect(map.ResultWriter.Resource).toBe('arn:<ref>:states:::s3:putObject');
    expect(map.ResultWriter.Parameters).toEqual({ Bucket: '<ref>', Prefix: 'backfill/map-runs' });
    expect(map.ResultWriter.WriterConfig).toEqual({ OutputType: 'JSONL', Transformation: 'COMPACT' });
    expect(map.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'SummarizeFailedRun', ResultPath: '$.mapError' })]);
    const retries = map.ItemProcessor.States.RecordBatch?.Retry ?? [];
    expect(retries.find((retry) => retry.ErrorEquals.includes('BackfillRetryableError'))?.MaxAttempts).toBe(20);
    expect(retries.at(-1)?.ErrorEquals).toEqual(['States.ALL']);
    expect(States.Backfill?.Next).toBe('Summarize');
  });

  it('lists only under the deployed prefix and reads only its objects, decrypting only through S3', () => {
    const machineStatements = policyStatements(roleId(stack.backfill?.stateMachine.role as never));
    const list = machineStatements.find((statement) => [statement.Action].flat().includes('s3:ListBucket'));
    expect(list?.Condition).toEqual({ StringLike: { 's3:prefix': 'AWSLogs/o-a1b2c3d4e5/*' } });

    const batch = policyStatements(roleId(stack.backfill?.functions.batch.role as never));
    const actions = batch.flatMap((statement) => [statement.Action].flat()).sort();
    expect(actions).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'kms:Decrypt', 'logs:CreateLogStream', 'logs:PutLogEvents', 's3:GetObject', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    expect(batch.find((statement) => statement.Action === 's3:GetObject')?.Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::org-trail-logs/AWSLogs/o-a1b2c3d4e5/*']],
    });
    const decrypt = batch.find((statement) => statement.Action === 'kms:Decrypt');
    expect(decrypt?.Resource).toBe(TRAIL_KEY);
    expect(decrypt?.Condition).toEqual({ StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } });
  });

  it('gives its functions the backfill environment and nothing of the guard\'s other settings', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Backfill: records a batch'),
      Timeout: 900,
      MemorySize: 1024,
      Environment: { Variables: Match.objectEquals({
        KMS_GUARD_TABLE: Match.anyValue(),
        KMS_GUARD_BACKFILL_BUCKET: 'org-trail-logs',
        KMS_GUARD_BACKFILL_PREFIX: 'AWSLogs/o-a1b2c3d4e5/',
        KMS_GUARD_BACKFILL_RESULTS_BUCKET: Match.anyValue(),
        KMS_GUARD_BACKFILL_RESULTS_PREFIX: 'backfill',
        KMS_GUARD_BACKFILL_CONCURRENCY: '40',
        POWERTOOLS_SERVICE_NAME: 'kms-guard-backfill-batch',
        NODE_OPTIONS: '--enable-source-maps',
      }) },
    });
  });

  it('logs every execution event, traces with X-Ray and alarms on failed runs', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsFailed', Namespace: 'AWS/States' });
    template.hasOutput('BackfillStateMachineArn', Match.anyValue());
  });

  it('passes cdk-nag with every finding acknowledged for a reason', () => {
    const violations = nagViolations(stack).map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((r) => `${r.constructPath} ${r.locations?.join(',') ?? ''}`).join(', ')}`);
    expect(violations).toEqual([]);
  });

  it('is not deployed by default', () => {
    const { template: plain } = synthGuard();
    expect(Object.keys(plain.findResources('AWS::StepFunctions::StateMachine'))).toEqual([]);
  });
});
