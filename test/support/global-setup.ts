// Placeholder replaced by the DynamoDB Local harness (test/support/dynamodb-local.ts).
export default async function setup(): Promise<void> {}
