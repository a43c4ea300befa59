/** sweep-planner: the work queue and, in org mode without a member list, the organization's accounts. */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { OrganizationsAccountDirectory } from '../adapters/organizations-account-directory.js';
import { baseRuntime, once } from './base.js';
import { sweepQueue } from './sweep-queue.js';

export const plannerRuntime = once(() => {
  const base = baseRuntime();
  const { config } = base;
  return {
    ...base,
    queue: sweepQueue(config),
    ...(config.listOrganizationAccounts && config.memberAccountIds.length === 0
      ? { organization: new OrganizationsAccountDirectory(new OrganizationsClient({ region: config.region })) }
      : {}),
  };
});

