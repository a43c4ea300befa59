/** usage-tracker and grant-tracker: the usage store on the table, nothing else (no KMS, no EventBridge). */
import { baseRuntime, once } from './base.js';
import { documentClient, usageStore } from './dynamodb.js';

export const trackerRuntime = once(() => {
  const base = baseRuntime();
  return { ...base, usage: usageStore(documentClient(base.config), base.config) };
});
