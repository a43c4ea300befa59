/**
 * The organization's accounts, from AWS Organizations ListAccounts (callable from the management account or a
 * delegated administrator). Only ACTIVE accounts are swept: a suspended or closing account's keys cannot be used.
 */
import { ListAccountsCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import type { AccountDirectory } from '../domain/ports.js';
import { KmsGuardError } from '../errors.js';

export class AccountListingError extends KmsGuardError {}

export class OrganizationsAccountDirectory implements AccountDirectory {
  constructor(private readonly organizations: OrganizationsClient) {}

  async listActiveAccounts(): Promise<string[]> {
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.organizations.send(new ListAccountsCommand({ NextToken: nextToken })).catch((error: unknown) => {
        throw new AccountListingError('AWS Organizations ListAccounts failed: the organization\'s accounts are unknown', { cause: error });
      });
      for (const account of page.Accounts ?? []) {
        // State replaces the deprecated Status; either says ACTIVE for an account in use.
        if (account.Id !== undefined && (account.State ?? account.Status) === 'ACTIVE') ids.push(account.Id);
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined && nextToken !== '');
    return ids;
  }
}
