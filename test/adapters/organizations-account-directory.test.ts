import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AccountListingError, OrganizationsAccountDirectory } from '../../lib/adapters/organizations-account-directory.js';

const organizations = mockClient(OrganizationsClient);

describe('the organization account directory', () => {
  afterEach(() => organizations.reset());

  it('follows NextToken through every page and keeps only ACTIVE accounts', async () => {
    organizations
      .on(ListAccountsCommand, { NextToken: undefined })
      .resolves({ Accounts: [{ Id: '111111111111', State: 'ACTIVE' }, { Id: '222222222222', State: 'SUSPENDED', Status: 'SUSPENDED' }], NextToken: 'page-2' })
      .on(ListAccountsCommand, { NextToken: 'page-2' })
      .resolves({ Accounts: [{ Id: '333333333333', Status: 'ACTIVE' }, { Id: '444444444444', State: 'PENDING_CLOSURE' }, { Id: '555555555555', State: 'CLOSED' }], NextToken: 'page-3' })
      .on(ListAccountsCommand, { NextToken: 'page-3' })
      .resolves({ Accounts: [{ Id: '666666666666', State: 'ACTIVE', Status: 'ACTIVE' }] });
    const ids = await new OrganizationsAccountDirectory(new OrganizationsClient({ region: 'us-east-1' })).listActiveAccounts();
    expect(ids).toEqual(['111111111111', '333333333333', '666666666666']);
    expect(organizations.commandCalls(ListAccountsCommand)).toHaveLength(3);
  });

  it('throws, never returns a short list, when a page cannot be read', async () => {
    organizations
      .on(ListAccountsCommand, { NextToken: undefined })
      .resolves({ Accounts: [{ Id: '111111111111', State: 'ACTIVE' }], NextToken: 'page-2' })
      .on(ListAccountsCommand, { NextToken: 'page-2' })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    await expect(new OrganizationsAccountDirectory(new OrganizationsClient({ region: 'us-east-1' })).listActiveAccounts()).rejects.toBeInstanceOf(AccountListingError);
  });
});
