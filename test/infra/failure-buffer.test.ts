import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { FailureBuffer } from '../../infra/constructs/failure-buffer.js';
import { ConfigError } from '../../lib/errors.js';

const consumer = (stack: Stack) =>
  new lambda.Function(stack, 'Consumer', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}'), reservedConcurrentExecutions: 2 });

describe('a failure buffer', () => {
  it('refuses a maximumConcurrency that could take every execution its consumer has reserved', () => {
    const build = (stack = new Stack(new App(), 'Test')) => new FailureBuffer(stack, 'Buffer', { consumer: consumer(stack), consumerTimeout: Duration.seconds(60), consumerReservedConcurrency: 2, purpose: 'test failures', maxConcurrency: 2 });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/below the consumer's reserved concurrency 2/);
  });
});
