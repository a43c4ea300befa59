/** The sweep work queue (SQS FIFO), for the planner and for the workers' continuations. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsSweepQueue } from '../adapters/sqs-sweep-queue.js';
import type { RuntimeConfig } from '../config.js';
import type { SweepQueue } from '../domain/ports.js';
import { ConfigError } from '../errors.js';

export const sweepQueue = (config: Pick<RuntimeConfig, 'region' | 'sweepQueueUrl'>): SweepQueue => {
  if (config.sweepQueueUrl === undefined) throw new ConfigError('KMS_GUARD_SWEEP_QUEUE_URL is not set');
  return new SqsSweepQueue(new SQSClient({ region: config.region }), config.sweepQueueUrl);
};
