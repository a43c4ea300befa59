/** What the grant sweep needs of a key. Keys managed by AWS (aws/ebs, aws/s3…) belong to their services: their grants are left alone. */

export interface KeyScopeFacts {
  /** KMS KeyManager: "AWS" or "CUSTOMER" (the store may write "AWS_MANAGED"). */
  readonly keyManager?: string;
  /** Alias names, with or without the "alias/" prefix. */
  readonly aliases: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  /** KMS KeyState ("Enabled", "Disabled", "PendingDeletion"…), or "Unknown" when neither KMS nor the history says. */
  readonly keyState: string;
}

export const isAwsManagedKey = (key: Pick<KeyScopeFacts, 'keyManager' | 'aliases'>): boolean =>
  key.keyManager === 'AWS' ||
  key.keyManager === 'AWS_MANAGED' ||
  key.aliases.some((alias) => alias.replace(/^alias\//, '').startsWith('aws/'));
