/** Keys managed by AWS (aws/ebs, aws/s3…) belong to their services: the guard leaves their grants alone. */

export interface KeyScopeFacts {
  /** KMS KeyManager: "AWS" or "CUSTOMER" (the store may write "AWS_MANAGED"). */
  readonly keyManager?: string;
  /** Alias names, with or without the "alias/" prefix. */
  readonly aliases: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

export const isAwsManagedKey = (key: Pick<KeyScopeFacts, 'keyManager' | 'aliases'>): boolean =>
  key.keyManager === 'AWS' ||
  key.keyManager === 'AWS_MANAGED' ||
  key.aliases.some((alias) => alias.replace(/^alias\//, '').startsWith('aws/'));
