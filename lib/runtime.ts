/**
 * Every function's adapters in one object, built once from lib/config.ts: for tests and tools that want the whole
 * production wiring. The Lambdas do not use it: each entry in functions/ builds only what its handler takes
 * (lib/wiring), so a function's bundle carries only the SDK clients it calls.
 */
import { baseRuntime } from './wiring/base.js';
import { coverageStore, decisionStore, documentClient, dynamoClient, grantStore, usageStore } from './wiring/dynamodb.js';
import { kmsRuntime } from './wiring/kms.js';
import { notifierIdempotencyStore } from './handlers/notifier.js';
import { decisionPublisher } from './wiring/publisher.js';
import { policyGuardRuntime } from './wiring/policy-guard.js';
import { slackPoster } from './wiring/notifier.js';

const buildRuntime = () => {
  const base = baseRuntime();
  const { config } = base;
  const dynamo = dynamoClient(config);
  const documents = documentClient(config);
  return {
    ...base,
    ...kmsRuntime(config),
    usage: usageStore(documents, config),
    grants: grantStore(documents, config),
    coverage: coverageStore(documents, config),
    decisions: decisionStore(documents, config),
    publisher: decisionPublisher(config),
    customKeyStores: policyGuardRuntime().customKeyStores,
    slack: slackPoster(config.slackSecretName, config.region, config.slackAllowedHosts),
    notifierIdempotency: notifierIdempotencyStore(dynamo, config.tableName),
  };
};

let runtime: ReturnType<typeof buildRuntime> | undefined;

export type Runtime = ReturnType<typeof buildRuntime>;

/** The production runtime, built once per container. */
export const productionRuntime = (): Runtime => {
  runtime ??= buildRuntime();
  return runtime;
};
