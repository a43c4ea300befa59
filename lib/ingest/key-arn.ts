/** KMS key ARNs: recognising them, and building one from a bare key id when CloudTrail gives nothing better. */

/**
 * arn:<partition>:kms:<region>:<account>:key/<id>. The account is any run of digits, not exactly 12:
 * published samples redact it ("000000000", "1010101010101") and we still want their keys.
 */
const KEY_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d+):key\/([A-Za-z0-9_-]+)$/;
/** A key id as a caller may type it: a UUID, "mrk-…", or anything else that is neither an ARN nor an alias. */
const BARE_KEY_ID = /^[A-Za-z0-9_-]+$/;

export const isKeyArn = (value: unknown): value is string => typeof value === 'string' && KEY_ARN.test(value);

export const isBareKeyId = (value: unknown): value is string => typeof value === 'string' && BARE_KEY_ID.test(value);

/** The account of a key ARN, or undefined for anything else. */
export const keyArnAccount = (arn: string): string | undefined => KEY_ARN.exec(arn)?.[3];

/** The id part of a key ARN ("1234abcd-…", "mrk-…"), or undefined for anything else. */
export const keyArnId = (arn: string): string | undefined => KEY_ARN.exec(arn)?.[4];

export const keyArnRegion = (arn: string): string | undefined => KEY_ARN.exec(arn)?.[2];

/** Multi-Region keys share their id across Regions: "mrk-…" alone does not say which Region's key. */
export const isMultiRegionKeyId = (keyId: string): boolean => keyId.startsWith('mrk-');

/** The partition a region belongs to: aws-cn for cn-*, aws-us-gov for us-gov-*, aws otherwise. */
export const partitionOf = (region: string): string => {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
};

export const buildKeyArn = (region: string, account: string, keyId: string): string =>
  `arn:${partitionOf(region)}:kms:${region}:${account}:key/${keyId}`;
