/** How every KMS client is configured; apart from the factory, so a function that needs no STS does not bundle it. */
import type { KMSClientConfig } from '@aws-sdk/client-kms';

/** Retries (standard mode: throttling, 5xx, timeouts) and a request timeout that actually fails the attempt. */
export const DEFAULT_KMS_CLIENT_CONFIG: KMSClientConfig = {
  retryMode: 'standard',
  maxAttempts: 3,
  requestHandler: { requestTimeout: 5_000, throwOnRequestTimeout: true },
};
