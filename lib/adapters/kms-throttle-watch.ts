/**
 * Says when KMS throttles the guard: every throttled attempt (the SDK retries it) is reported with the API name,
 * so the function's log line "kms throttled" feeds the throttle alarm (infra/constructs/operational-alarms.ts). The
 * guard shares the account's KMS quotas with its workloads; throttling means it is taking, or being denied, its share.
 */
import type { KMSClient } from '@aws-sdk/client-kms';

/** The log message the throttle metric filter matches: keep it. */
export const KMS_THROTTLED_MESSAGE = 'kms throttled';

// KMS's LimitExceededException is a resource limit (grants per key), not a request rate.
const THROTTLING_ERRORS: ReadonlySet<string> = new Set(['ThrottlingException']);

const nameOf = (error: unknown): string | undefined => (error instanceof Error ? error.name : undefined);

/** Adds the watch to `client` (inside the retry loop, so each attempt is seen) and returns it. */
export const watchKmsThrottling = (client: KMSClient, onThrottled: (operation: string, errorName: string) => void): KMSClient => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const name = nameOf(error);
        if (name !== undefined && THROTTLING_ERRORS.has(name)) onThrottled((context.commandName ?? 'Unknown').replace(/Command$/, ''), name);
        throw error;
      }
    },
    // Below the retry middleware (finalizeRequest, high priority): one report per throttled attempt.
    { step: 'finalizeRequest', priority: 'low', name: 'kmsGuardThrottleWatch' },
  );
  return client;
};
