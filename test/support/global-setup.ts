/**
 * One DynamoDB Local engine for the whole test run: started once, its endpoint provided to every test
 * file (inject('dynamoEndpoint'), typed in dynamodb-local.ts), stopped in teardown. startDynamoDbLocal also
 * kills it on process exit.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../lib/adapters/dynamodb-local.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamo = await startDynamoDbLocal();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}
