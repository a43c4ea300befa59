/**
 * The policy guard: EventBridge invokes it with one CloudTrail event (PutKeyPolicy, CreateKey, DisableKey,
 * a DisabledException failure, a custom key store change, CloudHSM DeleteHsm). It records the event in the
 * store (idempotent per eventID, so the usage tracker seeing it too is harmless), then raises alerts.
 * An event that cannot be read is thrown with its reason, so the async invocation's on-failure
 * destination keeps it; a valid non-KMS event is logged and skipped.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { RuntimeConfig } from '../config.js';
import type { UsageStore } from '../domain/ports.js';
import { guardPolicy, type GuardPolicyDeps } from '../use-cases/guard-policy.js';
import { parseOneEvent } from './parse-one-event.js';

export interface PolicyGuardDeps extends Omit<GuardPolicyDeps, 'mode' | 'policy' | 'usage'> {
  readonly logger: Logger;
  readonly config: Pick<RuntimeConfig, 'mode' | 'policy'>;
  readonly usage: Pick<UsageStore, 'record' | 'getKey' | 'getUsage'>;
}

export interface PolicyGuardResult {
  readonly eventId?: string;
  readonly skipped?: string;
  readonly alerts: readonly string[];
}

export const buildPolicyGuardHandler = (deps: PolicyGuardDeps) => {
  const useCaseDeps: GuardPolicyDeps = { ...deps, mode: deps.config.mode, policy: deps.config.policy };
  return middy(async (input: unknown): Promise<PolicyGuardResult> => {
    const outcome = parseOneEvent(input, deps.logger);
    if (outcome.kind === 'skipped') return { skipped: outcome.reason, alerts: [] };
    const { event } = outcome;
    deps.logger.appendKeys({ eventId: event.eventId, eventName: event.eventName });
    await deps.usage.record([event]);
    const alerts = await guardPolicy(useCaseDeps, event);
    for (const alert of alerts) deps.logger.warn('alert raised', { decisionId: alert.decisionId, keyArn: alert.keyArn, reasons: alert.reasons });
    return { eventId: event.eventId, alerts: alerts.map((alert) => alert.decisionId) };
  }).use(injectLambdaContext(deps.logger, { clearState: true }));
};
