import { GrantOperation } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { eventNamesFor, GRANT_OPERATION_TRACES, untrackedOperations } from '../../../lib/domain/grants/grant-operations.js';
import { NON_USE_OPERATIONS } from '../../../lib/domain/non-use-calls.js';
import { USAGE_OPERATIONS } from '../../../lib/domain/operations.js';

describe('the CloudTrail trace of each operation a grant can allow', () => {
  it.each(Object.entries(GRANT_OPERATION_TRACES))('%s is recorded where the store keeps %j', (_operation, trace) => {
    expect((trace.recordedAs === 'use' ? USAGE_OPERATIONS : NON_USE_OPERATIONS).has(trace.eventName)).toBe(true);
  });

  it('covers every grant operation the KMS SDK knows but the KEM ones no CloudTrail use of a key records yet', () => {
    expect(untrackedOperations(Object.values(GrantOperation)).sort()).toEqual(['Decapsulate', 'Encapsulate']);
  });

  it('looks for ReEncrypt once for ReEncryptFrom and ReEncryptTo', () => {
    expect(eventNamesFor(['ReEncryptFrom', 'ReEncryptTo', 'DescribeKey'])).toEqual(['ReEncrypt', 'DescribeKey']);
  });

  it('does not mistake an inherited property for an operation', () => {
    expect(untrackedOperations(['constructor', 'toString'])).toEqual(['constructor', 'toString']);
  });
});
