/**
 * EventBridge rule definitions derived from the one routing table (lib/routing.ts), so the deployed rules,
 * the member-account forwarders and `kms-guard replay` cannot drift apart.
 */
import { ConfigError } from '../lib/errors.js';
import { ROUTES, type EventPattern, type EventRoute, type PatternValue } from '../lib/routing.js';

export type RuleState = EventRoute['state'];

/** The pattern as CloudFormation's EventPattern wants it (plain JSON; the routing table already uses EventBridge syntax). */
export const cfnEventPattern = (pattern: EventPattern): Record<string, unknown> => structuredClone(pattern) as Record<string, unknown>;

export interface ForwardingRule {
  readonly id: string;
  readonly pattern: EventPattern;
  readonly state: RuleState;
}

/**
 * What a member account forwards to the central bus: per event source, every detail-type some route
 * listens to. Sources are disjoint, so an event is forwarded once even when several routes match it; the
 * rule carries ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS when any route of that source needs read-only
 * events (Decrypt, Encrypt…), otherwise they would never leave the member account.
 */
export const forwardingRules = (routes: readonly EventRoute[] = ROUTES): ForwardingRule[] => {
  const bySource = new Map<string, { detailTypes: Set<string>; state: RuleState }>();
  for (const route of routes) {
    for (const source of stringsOf(route.pattern.source, route.id, 'source')) {
      const entry = bySource.get(source) ?? { detailTypes: new Set<string>(), state: 'ENABLED' as RuleState };
      for (const detailType of stringsOf(route.pattern['detail-type'], route.id, 'detail-type')) entry.detailTypes.add(detailType);
      if (route.state === 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS') entry.state = route.state;
      bySource.set(source, entry);
    }
  }
  return [...bySource.entries()].map(([source, { detailTypes, state }]) => ({
    id: `Forward${source.replace(/[^A-Za-z0-9]/g, ' ').replace(/(?:^|\s)(\w)/g, (_, letter: string) => letter.toUpperCase())}`,
    pattern: { source: [source], 'detail-type': [...detailTypes].sort() },
    state,
  }));
};

/** Forwarding needs exact sources and detail-types; a route using prefixes there could not be forwarded safely. */
const stringsOf = (values: EventPattern | readonly PatternValue[] | undefined, routeId: string, field: string): string[] => {
  if (!Array.isArray(values) || !values.every((value): value is string => typeof value === 'string')) {
    throw new ConfigError(`route ${routeId}: "${field}" must list exact strings to be forwarded from member accounts`);
  }
  return values;
};
