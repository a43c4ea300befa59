/**
 * One guard Lambda: its own role (only what FUNCTION_ACCESS lists), log group with retention, esbuild
 * bundle (ESM, minified, source maps, arm64, nodejs22.x) and, when invoked asynchronously, retries and an
 * on-failure queue so no event is lost.
 */
import * as path from 'node:path';
import { Aws, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionName } from '../../lib/routing.js';
import type { FunctionAccess } from '../function-access.js';
import { acknowledge } from '../nag.js';
import { deadLetterQueue } from './secure-queue.js';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** IAM path of the roles of functions that call KMS; member remediation roles trust exactly these. */
export const GUARD_ROLE_PATH = '/kms-guard/';
export const guardRoleName = (name: GuardFunctionProps['name'], region: string): string => `kms-guard-${name}-${region}`;

export interface GuardFunctionProps {
  /** A function of the routing table, or another of functions/ (the backfill's). */
  readonly name: FunctionName | `backfill-${string}`;
  readonly access: FunctionAccess;
  /** Environment variables, exactly as lib/config.ts reads them. */
  readonly environment: Readonly<Record<string, string>>;
  /** Invoked asynchronously (EventBridge, Scheduler): adds retries and an on-failure queue. Default true. */
  readonly asynchronous?: boolean;
  /** Who invokes a synchronous function and keeps what fails (for the cdk-nag record). Default the SQS event source mapping. */
  readonly synchronousCaller?: string;
  /** Days the function's logs are kept. */
  readonly logRetentionDays: number;
  readonly logRemovalPolicy?: RemovalPolicy;
  /** The entry file. Default `functions/<name>.ts` in the repository. */
  readonly entry?: string;
  /** Directory esbuild bundles from; holds package-lock.json and the entry. Default the repository. */
  readonly projectRoot?: string;
  /** Gives the role a fixed name under GUARD_ROLE_PATH (org mode: member roles trust it by ARN). Default false. */
  readonly namedRole?: boolean;
}

export class GuardFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** Asynchronous invocations that failed after Lambda's retries (absent for synchronous functions). */
  readonly failureQueue?: sqs.Queue;

  constructor(scope: Construct, id: string, props: GuardFunctionProps) {
    super(scope, id);
    const asynchronous = props.asynchronous ?? true;
    const projectRoot = props.projectRoot ?? REPO_ROOT;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: retention(props.logRetentionDays),
      ...(props.logRemovalPolicy === undefined ? {} : { removalPolicy: props.logRemovalPolicy }),
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `kms-guard ${props.name}: ${props.access.description}`,
      path: GUARD_ROLE_PATH,
      ...(props.namedRole === true ? { roleName: guardRoleName(props.name, Aws.REGION) } : {}),
    });
    // Instead of AWSLambdaBasicExecutionRole (any log group): only this function's own log group.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.failureQueue = asynchronous ? deadLetterQueue(this, 'FailedInvocations', `failed ${props.name} invocations`) : undefined;

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry ?? path.join(projectRoot, 'functions', `${props.name}.ts`),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.access.memorySize,
      timeout: Duration.seconds(props.access.timeoutSeconds),
      description: props.access.description,
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      ...(props.access.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.access.reservedConcurrency }),
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: `kms-guard-${props.name}`,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        // Pin the SDK we test with rather than the runtime's copy.
        bundleAwsSDK: true,
        mainFields: ['module', 'main'],
        // Some bundled CommonJS dependencies call require(); ESM output has none unless we make one.
        banner: "import { createRequire as __kmsGuardCreateRequire } from 'node:module'; const require = __kmsGuardCreateRequire(import.meta.url);",
      },
      ...(asynchronous && this.failureQueue !== undefined
        ? { onFailure: new SqsDestination(this.failureQueue), retryAttempts: 2, maxEventAge: Duration.hours(6) }
        : {}),
    });
    const runtimeReason =
      'nodejs22.x on purpose: the code is built and tested on Node.js 22 (package.json engines, the `node` dev runtime); the runtime moves with them.';
    acknowledge(this.function, 'AwsSolutions-L1', runtimeReason);
    acknowledge(this.function, 'Serverless-LambdaLatestVersion', runtimeReason);
    acknowledge(
      this.function,
      'Serverless-LambdaDLQ',
      asynchronous
        ? 'An on-failure destination (SQS) is configured instead of a DLQ: it receives the same failed events plus the error and request context.'
        : (props.synchronousCaller ??
            'Invoked synchronously by the SQS event source mapping, never asynchronously: failed messages go to the source queue\'s redrive DLQ.'),
    );
    acknowledge(
      this.role,
      'AwsSolutions-IAM5[Resource::*]',
      `X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions${
        props.access.accountActions.length > 0 ? `; neither do ${props.access.accountActions.join(', ')}` : ''
      }.`,
    );
  }
}

const retention = (days: number): logs.RetentionDays => {
  const allowed = Object.values(logs.RetentionDays).filter((value): value is number => typeof value === 'number' && value > 0);
  const match = allowed.sort((a, b) => a - b).find((value) => value >= days);
  return (match ?? logs.RetentionDays.TEN_YEARS) as logs.RetentionDays;
};
