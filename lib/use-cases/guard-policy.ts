/**
 * The policy guard: alerts (never KMS calls) on key policies that lock the account out or open the key
 * to anyone, on disabling a key in use and on the failures that follow, and on changes that can take an
 * HSM-backed custom key store down. Every alert goes through enactDecision, so a redelivered event
 * alerts once.
 */
import type { Mode } from '../config.js';
import { alertDecision, subjectKeyArn } from '../domain/alerts/alert-decision.js';
import { customKeyStoreArn, customKeyStoreChange, customKeyStoreIdOf, field, hsmCountBelowMinimum } from '../domain/alerts/custom-key-store.js';
import type { CustomKeyStoreRegistry, StoreScope } from '../domain/alerts/custom-key-store-registry.js';
import { disabledInUse, disabledSince, disabledUseDecisionId, isDisabledFailure, useWhileDisabled } from '../domain/alerts/disable-watch.js';
import { evaluatePolicyChange, POLICY_OPERATIONS } from '../domain/alerts/policy-change.js';
import { findingsOf, type Finding } from '../domain/alerts/rule-result.js';
import type { GuardPolicy } from '../domain/guard-policy.js';
import { activeAliases } from '../domain/key-state.js';
import type { KmsEvent } from '../domain/kms-event.js';
import type { Decision, KeyRecord } from '../domain/model.js';
import { CUSTOM_KEY_STORE_OPERATIONS } from '../domain/operations.js';
import type { Clock, UsageStore } from '../domain/ports.js';
import { enactDecision, type EnactDeps } from './enact-decision.js';

export interface GuardPolicyDeps extends EnactDeps {
  readonly usage: Pick<UsageStore, 'getKey' | 'getUsage'>;
  readonly policy: Pick<GuardPolicy, 'recentUseWindowDays'>;
  readonly mode: Mode;
  readonly clock: Clock;
  readonly customKeyStores: CustomKeyStoreRegistry;
}

/** Returns the alerts enacted for this event (none when it raised none, or they were already sent). */
export const guardPolicy = async (deps: GuardPolicyDeps, event: KmsEvent): Promise<Decision[]> => {
  const alerts = await alertsFor(deps, event);
  const enacted: Decision[] = [];
  for (const alert of alerts) {
    const recorded = await enactDecision(deps, alert, async () => []);
    if (recorded !== undefined) enacted.push(recorded);
  }
  return enacted;
};

/**
 * Calls failing on one disabled key (a batch from the policy guard's queue, already recorded): the key and its usage
 * are read once, and each workload is alerted once per disable period (its decisionId), from its earliest failure.
 */
export const guardDisabledUses = async (deps: GuardPolicyDeps, keyArn: string, failures: readonly KmsEvent[]): Promise<Decision[]> => {
  const [key, usage] = await Promise.all([deps.usage.getKey(keyArn), deps.usage.getUsage(keyArn)]);
  const ordered = failures.filter(isDisabledFailure).sort((a, b) => a.eventTime.localeCompare(b.eventTime));
  const seen = new Set<string>();
  const enacted: Decision[] = [];
  for (const event of ordered) {
    const since = disabledSince(key?.history ?? [], event.eventTime);
    const decisionId = disabledUseDecisionId(keyArn, event, since);
    if (seen.has(decisionId)) continue;
    seen.add(decisionId);
    for (const alert of await keyAlert(deps, event, decisionId, findingsOf([useWhileDisabled(event, since, usage)]), key)) {
      const recorded = await enactDecision(deps, alert, async () => []);
      if (recorded !== undefined) enacted.push(recorded);
    }
  }
  return enacted;
};

const alertsFor = async (deps: GuardPolicyDeps, event: KmsEvent): Promise<Decision[]> => {
  if (POLICY_OPERATIONS.has(event.eventName)) return keyAlert(deps, event, event.eventId, evaluatePolicyChange(event));
  if (event.eventName === 'DisableKey' && event.error === undefined) {
    const keyArn = subjectKeyArn(event);
    const usage = await deps.usage.getUsage(keyArn);
    return keyAlert(deps, event, event.eventId, findingsOf([disabledInUse(event.eventTime, usage, deps.policy.recentUseWindowDays)]));
  }
  if (isDisabledFailure(event)) {
    const keyArn = subjectKeyArn(event);
    const [key, usage] = await Promise.all([deps.usage.getKey(keyArn), deps.usage.getUsage(keyArn)]);
    const since = disabledSince(key?.history ?? [], event.eventTime);
    const decisionId = disabledUseDecisionId(keyArn, event, since);
    return keyAlert(deps, event, decisionId, findingsOf([useWhileDisabled(event, since, usage)]), key);
  }
  if (CUSTOM_KEY_STORE_OPERATIONS.has(event.eventName)) return customKeyStoreAlerts(deps, event);
  if (event.eventName === 'CreateHsm' || event.eventName === 'DeleteHsm') return hsmAlerts(deps, event);
  return [];
};

const keyAlert = async (
  deps: GuardPolicyDeps,
  event: KmsEvent,
  decisionId: string,
  findings: readonly Finding[],
  knownKey?: KeyRecord,
): Promise<Decision[]> => {
  if (findings.length === 0) return [];
  const keyArn = subjectKeyArn(event);
  const key = knownKey ?? (await deps.usage.getKey(keyArn));
  const aliases = key === undefined ? [] : activeAliases(key);
  return [alertDecision({
    decisionId,
    keyArn,
    event,
    findings,
    decidedAt: deps.clock.now().toISOString(),
    dryRun: deps.mode === 'dry-run',
    context: aliases.length > 0 ? { aliases } : undefined,
  })];
};

const customKeyStoreAlerts = async (deps: GuardPolicyDeps, event: KmsEvent): Promise<Decision[]> => {
  if (event.error !== undefined) return [];
  const customKeyStoreId = customKeyStoreIdOf(event);
  // The state before this call decides "updated while connected"; read it before folding the event in.
  const before = customKeyStoreId === undefined ? undefined : await deps.customKeyStores.store(customKeyStoreId, scopeOf(event));
  await deps.customKeyStores.observe(event);
  const findings = findingsOf([customKeyStoreChange(event, before)]);
  if (findings.length === 0 || customKeyStoreId === undefined) return [];
  return [storeAlert(deps, event, event.eventId, customKeyStoreId, findings)];
};

const hsmAlerts = async (deps: GuardPolicyDeps, event: KmsEvent): Promise<Decision[]> => {
  if (event.error !== undefined) return [];
  await deps.customKeyStores.observe(event);
  const clusterId = field(event.requestParameters, 'clusterId');
  if (event.eventName !== 'DeleteHsm' || clusterId === undefined) return [];
  const stores = await deps.customKeyStores.storesBackedBy(clusterId, scopeOf(event));
  if (stores.length === 0) return [];
  const activeHsms = await deps.customKeyStores.activeHsmCount(clusterId, scopeOf(event));
  return stores.flatMap((store) => {
    const findings = findingsOf([hsmCountBelowMinimum(event, store, activeHsms)]);
    if (findings.length === 0) return [];
    const withStoreReason = [{ reason: 'custom-key-store', evidence: { change: 'hsm-deleted' } }, ...findings];
    return [storeAlert(deps, event, `${event.eventId}#${store.customKeyStoreId}`, store.customKeyStoreId, withStoreReason)];
  });
};

/** A store or cluster is asked about in the account and Region whose trail logged the call. */
const scopeOf = (event: KmsEvent): StoreScope => ({ accountId: event.accountId, region: event.region });

const storeAlert = (deps: GuardPolicyDeps, event: KmsEvent, decisionId: string, customKeyStoreId: string, findings: readonly Finding[]): Decision =>
  alertDecision({
    decisionId,
    keyArn: customKeyStoreArn(event.region, event.accountId, customKeyStoreId),
    event,
    findings,
    decidedAt: deps.clock.now().toISOString(),
    dryRun: deps.mode === 'dry-run',
  });
