/**
 * What CloudTrail shows when a grantee exercises each operation a grant can allow. A grant names ReEncryptFrom and
 * ReEncryptTo; CloudTrail logs one ReEncrypt, recorded for its source and its destination key alike. DescribeKey,
 * CreateGrant and RetireGrant are not use of the key: the store keeps their callers apart (non-use calls).
 * An operation missing here (one KMS adds later) cannot be seen used, so a grant allowing it is never judged stale.
 */

export interface OperationTrace {
  /** The CloudTrail eventName of a call exercising the operation. */
  readonly eventName: string;
  /** Where the usage record keeps such calls: with the key's uses, or with its non-use calls. */
  readonly recordedAs: 'use' | 'non-use';
}

const use = (eventName: string): OperationTrace => ({ eventName, recordedAs: 'use' });
const nonUse = (eventName: string): OperationTrace => ({ eventName, recordedAs: 'non-use' });

/** Every operation the KMS API reference lists for CreateGrant's Operations, as of this module. */
export const GRANT_OPERATION_TRACES: Readonly<Record<string, OperationTrace>> = {
  Decrypt: use('Decrypt'),
  Encrypt: use('Encrypt'),
  GenerateDataKey: use('GenerateDataKey'),
  GenerateDataKeyPair: use('GenerateDataKeyPair'),
  GenerateDataKeyPairWithoutPlaintext: use('GenerateDataKeyPairWithoutPlaintext'),
  GenerateDataKeyWithoutPlaintext: use('GenerateDataKeyWithoutPlaintext'),
  ReEncryptFrom: use('ReEncrypt'),
  ReEncryptTo: use('ReEncrypt'),
  Sign: use('Sign'),
  Verify: use('Verify'),
  GetPublicKey: use('GetPublicKey'),
  GenerateMac: use('GenerateMac'),
  VerifyMac: use('VerifyMac'),
  DeriveSharedSecret: use('DeriveSharedSecret'),
  DescribeKey: nonUse('DescribeKey'),
  CreateGrant: nonUse('CreateGrant'),
  RetireGrant: nonUse('RetireGrant'),
};

export const traceOf = (operation: string): OperationTrace | undefined =>
  Object.hasOwn(GRANT_OPERATION_TRACES, operation) ? GRANT_OPERATION_TRACES[operation] : undefined;

/** The CloudTrail event names that would show the grant used, each once, in the grant's order. */
export const eventNamesFor = (operations: readonly string[]): string[] => [
  ...new Set(operations.flatMap((operation) => traceOf(operation)?.eventName ?? [])),
];

/** The grant's operations no CloudTrail record of this key can show used. */
export const untrackedOperations = (operations: readonly string[]): string[] => operations.filter((operation) => traceOf(operation) === undefined);
