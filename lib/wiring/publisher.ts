/** The decision publisher: EventBridge PutEvents on the guard's bus, or nothing when no bus is configured. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgeDecisionPublisher } from '../adapters/eventbridge-publisher.js';
import type { RuntimeConfig } from '../config.js';
import type { DecisionPublisher } from '../domain/ports.js';

/** Without a guard bus, decisions are still stored and logged; nothing else is told. */
const NO_PUBLISHER: DecisionPublisher = { publish: async () => {} };

export const decisionPublisher = (config: Pick<RuntimeConfig, 'region' | 'eventBusName'>): DecisionPublisher =>
  config.eventBusName === undefined ? NO_PUBLISHER : new EventBridgeDecisionPublisher(new EventBridgeClient({ region: config.region }), config.eventBusName);
