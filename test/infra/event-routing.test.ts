import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.js';
import { matchesPattern, ROUTES, type EventRoute } from '../../lib/routing.js';
import { cfnEventPattern, forwardingRules } from '../../infra/event-routing.js';

describe('rules derived from the routing table', () => {
  it('use the routing pattern unchanged as the CloudFormation EventPattern, without sharing it', () => {
    const route = ROUTES.find((candidate) => candidate.id === 'UseWhilePendingDeletion');
    const pattern = cfnEventPattern(route?.pattern ?? {});
    expect(pattern).toEqual(route?.pattern);
    expect(pattern).not.toBe(route?.pattern);
  });

  describe('member-account forwarding', () => {
    const rules = forwardingRules();

    it('has one rule per event source, so an event matching several routes is forwarded once', () => {
      const sources = rules.map((rule) => JSON.stringify(rule.pattern.source));
      expect(new Set(sources).size).toBe(rules.length);
      expect(rules.map((rule) => rule.id).sort()).toEqual(['ForwardAwsCloudhsm', 'ForwardAwsKms']);
    });

    it('covers every source and detail-type of every route', () => {
      for (const route of ROUTES) {
        for (const source of route.pattern.source as string[]) {
          for (const detailType of route.pattern['detail-type'] as string[]) {
            const envelope = { source, 'detail-type': detailType };
            expect(rules.some((rule) => matchesPattern(rule.pattern, envelope)), `${route.id}: ${source} / ${detailType}`).toBe(true);
          }
        }
      }
    });

    it('includes read-only management events when any route of that source needs them', () => {
      expect(rules.find((rule) => rule.id === 'ForwardAwsKms')?.state).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
      expect(rules.find((rule) => rule.id === 'ForwardAwsCloudhsm')?.state).toBe('ENABLED');
    });

    it('refuses a route whose source is not an exact list (it could not be forwarded faithfully)', () => {
      const route: EventRoute = {
        id: 'Prefixed',
        target: 'usage-tracker',
        description: 'test',
        pattern: { source: [{ prefix: 'aws.' }], 'detail-type': ['AWS API Call via CloudTrail'] },
        state: 'ENABLED',
        viaQueue: false,
      };
      expect(() => forwardingRules([route])).toThrow(ConfigError);
      expect(() => forwardingRules([route])).toThrow(/route Prefixed: "source" must list exact strings/);
    });
  });
});
