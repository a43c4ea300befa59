/**
 * The backfill from the trail's S3 archive (off unless `-c backfillBucket=…`): a Standard state machine whose
 * Distributed Map lists the trail prefix (ItemReader ListObjectsV2), hands batches of objects (ItemBatcher) to
 * the batch Lambda, tolerates a few failed batches, writes every batch's result to S3 (ResultWriter) and ends
 * with a summary step that widens coverage only where the run vouches for it. Least privilege, all here:
 * ListBucket and GetObject on the prefix only, kms:Decrypt on the trail key only through S3.
 */
import { Arn, ArnFormat, Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { FunctionAccess } from '../function-access.js';
import { acknowledge } from '../nag.js';
import type { BackfillSettings } from '../settings.js';
import { GuardFunction } from './guard-function.js';

export interface BackfillProps {
  readonly settings: BackfillSettings;
  readonly table: dynamodb.ITable;
  readonly logRetentionDays: number;
  readonly alarmTopicArn?: string;
  readonly projectRoot?: string;
}

/** Batches of a Map run that may fail (after their retries) before the run stops. */
export const TOLERATED_FAILURE_PERCENTAGE = 10;
export const RESULTS_PREFIX = 'backfill';

const access = (description: string, memorySize: number, timeoutSeconds: number): FunctionAccess => ({
  kmsKeyActions: [],
  accountActions: [],
  // Granted apart below: the batch writes usage without coverage, the summary only coverage.
  tableStores: [],
  publishesDecisions: false,
  readsSlackSecret: false,
  memorySize,
  timeoutSeconds,
  description,
});

const SYNCHRONOUS = 'Invoked synchronously by the backfill state machine, never asynchronously: a failure is retried by the state and, after its retries, recorded in the Map run\'s results.';

export class Backfill extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly resultsBucket: s3.Bucket;
  readonly functions: Readonly<Record<'plan' | 'batch' | 'summary', GuardFunction>>;

  constructor(scope: Construct, id: string, props: BackfillProps) {
    super(scope, id);
    // ResultWriterV2 (WriterConfig: JSONL, COMPACT) sits behind this feature flag in aws-cdk-lib.
    this.node.setContext('@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2', true);
    const { settings } = props;
    const trail = s3.Bucket.fromBucketName(this, 'TrailBucket', settings.bucket);
    this.resultsBucket = new s3.Bucket(this, 'Results', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(this.resultsBucket, 'AwsSolutions-S1', 'Holds only the backfill\'s own Map results and summaries, written by its state machine and read by its summary function; they expire after 90 days.');

    const environment = {
      KMS_GUARD_TABLE: props.table.tableName,
      KMS_GUARD_BACKFILL_BUCKET: settings.bucket,
      ...(settings.prefix === '' ? {} : { KMS_GUARD_BACKFILL_PREFIX: settings.prefix }),
      KMS_GUARD_BACKFILL_RESULTS_BUCKET: this.resultsBucket.bucketName,
      KMS_GUARD_BACKFILL_RESULTS_PREFIX: RESULTS_PREFIX,
      KMS_GUARD_BACKFILL_CONCURRENCY: String(settings.concurrency),
    };
    const fn = (name: 'plan' | 'batch' | 'summary', functionAccess: FunctionAccess) =>
      new GuardFunction(this, name, {
        name: `backfill-${name}`,
        access: functionAccess,
        environment,
        asynchronous: false,
        synchronousCaller: SYNCHRONOUS,
        logRetentionDays: props.logRetentionDays,
        ...(props.projectRoot === undefined ? {} : { projectRoot: props.projectRoot }),
      });
    this.functions = {
      plan: fn('plan', access('Backfill: checks the execution input and plans the run.', 256, 30)),
      batch: fn('batch', access('Backfill: records a batch of trail objects, streamed, into the guard table.', 1024, 900)),
      summary: fn('summary', access('Backfill: adds up the Map run, widens coverage where nothing failed, writes the summary.', 512, 900)),
    };
    this.grantAccess(props, trail);

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'kms-guard backfill from the CloudTrail S3 archive: input {"since": "2026-08-01" | "90d", "until"?, "accounts"?, "regions"?, "prefix"?, "maxConcurrency"?}',
      definitionBody: sfn.DefinitionBody.fromChainable(this.definition(trail, settings)),
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'StateMachineLogs', { retention: logs.RetentionDays.THREE_MONTHS }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    this.acknowledgeWildcards(settings);
    this.alarm(props.alarmTopicArn);
  }

  private definition(trail: s3.IBucket, settings: BackfillSettings): sfn.IChainable {
    const plan = new tasks.LambdaInvoke(this, 'Plan', {
      lambdaFunction: this.functions.plan.function,
      payload: sfn.TaskInput.fromObject({ input: sfn.JsonPath.entirePayload, runId: sfn.JsonPath.stringAt('$$.Execution.Name'), startedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime') }),
      payloadResponseOnly: true,
      resultPath: '$.plan',
    });
    const batch = new tasks.LambdaInvoke(this, 'RecordBatch', {
      lambdaFunction: this.functions.batch.function,
      payloadResponseOnly: true,
      taskTimeout: sfn.Timeout.duration(Duration.minutes(16)),
    });
    // Progress is checkpointed: a batch that ran out of time or met throttling resumes where it stopped.
    batch.addRetry({ errors: ['BackfillRetryableError'], interval: Duration.seconds(2), backoffRate: 1.5, maxAttempts: 20, maxDelay: Duration.minutes(1), jitterStrategy: sfn.JitterType.FULL });
    batch.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 3, jitterStrategy: sfn.JitterType.FULL });

    const map = new sfn.DistributedMap(this, 'Backfill', {
      label: 'Backfill',
      mapExecutionType: sfn.StateMachineType.STANDARD,
      itemReader: new TrailListing(trail, settings.prefix),
      itemSelector: { 'object.$': '$$.Map.Item.Value', 'plan.$': '$.plan' },
      itemBatcher: new sfn.ItemBatcher({ maxItemsPerBatch: settings.objectsPerBatch }),
      maxConcurrencyPath: '$.plan.maxConcurrency',
      toleratedFailurePercentage: TOLERATED_FAILURE_PERCENTAGE,
      resultWriterV2: new sfn.ResultWriterV2({
        bucket: this.resultsBucket,
        prefix: `${RESULTS_PREFIX}/map-runs`,
        writerConfig: new sfn.WriterConfig({ outputType: sfn.OutputType.JSONL, transformation: sfn.Transformation.COMPACT }),
      }),
      resultPath: '$.map',
    });
    map.itemProcessor(batch);

    const summarize = (id: string, payload: Record<string, unknown>) =>
      new tasks.LambdaInvoke(this, id, { lambdaFunction: this.functions.summary.function, payload: sfn.TaskInput.fromObject(payload), payloadResponseOnly: true });
    const incomplete = new sfn.Fail(this, 'Incomplete', { error: 'BackfillIncomplete', cause: 'Some objects or records could not be read, or live tracking does not follow the range: see the summary. Coverage was widened only where nothing failed.' });
    const summary = summarize('Summarize', { plan: sfn.JsonPath.objectAt('$.plan'), map: sfn.JsonPath.objectAt('$.map') });
    const summaryAfterFailure = summarize('SummarizeFailedRun', { plan: sfn.JsonPath.objectAt('$.plan'), mapError: sfn.JsonPath.objectAt('$.mapError') });
    map.addCatch(summaryAfterFailure.next(incomplete), { resultPath: '$.mapError' });
    return plan
      .next(map)
      .next(summary)
      .next(new sfn.Choice(this, 'Complete?').when(sfn.Condition.booleanEquals('$.complete', true), new sfn.Succeed(this, 'Done')).otherwise(incomplete));
  }

  private grantAccess(props: BackfillProps, trail: s3.IBucket): void {
    const { settings, table } = props;
    const batchRole = this.functions.batch.role;
    batchRole.addToPolicy(new iam.PolicyStatement({ sid: 'ReadTrailObjects', actions: ['s3:GetObject'], resources: [trail.arnForObjects(`${settings.prefix}*`)] }));
    if (settings.kmsKeyArn !== undefined) {
      batchRole.addToPolicy(
        new iam.PolicyStatement({
          sid: 'DecryptTrailObjectsThroughS3',
          actions: ['kms:Decrypt'],
          resources: [settings.kmsKeyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
        }),
      );
    }
    // The usage store (BatchGetItem + conditional PutItem) and the ledger (GetItem + conditional PutItem).
    batchRole.addToPolicy(new iam.PolicyStatement({ sid: 'Table', actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem'], resources: [table.tableArn] }));
    const summaryRole = this.functions.summary.role;
    summaryRole.addToPolicy(new iam.PolicyStatement({ sid: 'ReadResultsWriteSummary', actions: ['s3:GetObject', 's3:PutObject'], resources: [this.resultsBucket.arnForObjects(`${RESULTS_PREFIX}/*`)] }));
    // The coverage store: GetItem, and the conditional UpdateItem that widens watchedSince.
    summaryRole.addToPolicy(new iam.PolicyStatement({ sid: 'Coverage', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [table.tableArn] }));
  }

  private acknowledgeWildcards(settings: BackfillSettings): void {
    const bucket = settings.bucket;
    acknowledge(this.functions.batch.role, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucket}/${settings.prefix}*]`, 'GetObject on the trail prefix only: the objects are what the Map lists, unknown when deploying.');
    acknowledge(this.functions.summary.role, `AwsSolutions-IAM5[Resource::<${this.logicalId(this.resultsBucket)}.Arn>/${RESULTS_PREFIX}/*]`, 'The Map run\'s result files and the summary, under the results prefix of the backfill\'s own bucket.');
    const role = this.stateMachine.role;
    acknowledge(role, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<${this.logicalId(this.resultsBucket)}>/*]`, 'ResultWriter writes the Map run\'s results anywhere in the backfill\'s own results bucket (aws-cdk-lib\'s ResultWriterV2 grant).');
    // The Distributed Map starts, describes, stops and redrives its own child executions (aws-cdk-lib's grant).
    const executions = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${this.logicalId(this.stateMachine)}"}]}]}`;
    for (const resource of [`${executions}:*`, `${executions}/Backfill:*`]) {
      acknowledge(this.stateMachine, `AwsSolutions-IAM5[Resource::${resource}]`, 'The Distributed Map\'s child executions of this state machine, unknown until they run.');
    }
    for (const fn of Object.values(this.functions)) {
      acknowledge(role, `AwsSolutions-IAM5[Resource::<${this.logicalId(fn.function)}.Arn>:*]`, 'Invoking the backfill\'s own functions, any version (aws-cdk-lib\'s LambdaInvoke grant).');
    }
    acknowledge(role, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords and the CloudWatch Logs delivery actions support no resource-level permissions.');
  }

  private logicalId(construct: Construct): string {
    return Stack.of(this).getLogicalId(construct.node.defaultChild as never);
  }

  private alarm(alarmTopicArn: string | undefined): void {
    const alarm = new cloudwatch.Alarm(this, 'FailedRuns', {
      alarmDescription: 'kms-guard backfill: a run ended incomplete or failed; its summary (in the results bucket) says what and where',
      metric: this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (alarmTopicArn !== undefined) alarm.addAlarmAction(new actions.SnsAction(sns.Topic.fromTopicArn(this, 'AlarmTopic', alarmTopicArn)));
  }
}

/**
 * ItemReader over ListObjectsV2 of the plan's prefix. aws-cdk-lib's S3ObjectsItemReader grants ListBucket on the
 * whole bucket; this one grants it only for prefixes under the deployed one (the s3:prefix condition).
 */
class TrailListing implements sfn.IItemReader {
  readonly resource = Arn.format({ region: '', account: '', partition: Aws.PARTITION, service: 'states', resource: 's3', resourceName: 'listObjectsV2', arnFormat: ArnFormat.COLON_RESOURCE_NAME });

  constructor(
    readonly bucket: s3.IBucket,
    private readonly allowedPrefix: string,
  ) {}

  render(): unknown {
    return { Resource: this.resource, Parameters: { Bucket: this.bucket.bucketName, 'Prefix.$': '$.plan.prefix' } };
  }

  providePolicyStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': `${this.allowedPrefix}*` } },
      }),
    ];
  }

  validateItemReader(): string[] {
    return [];
  }
}
