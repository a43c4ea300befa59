/**
 * A DecisionPublisher that posts each decision's Slack message straight to a webhook (no EventBridge,
 * no notifier): `kms-guard replay --slack-webhook <url>` shows users the messages production would send.
 * Every decision is tried; the failures are thrown together at the end.
 */
import type { Decision } from '../domain/model.js';
import type { DecisionPublisher } from '../domain/ports.js';
import { buildSlackMessage } from '../domain/slack-message.js';
import { KmsGuardError } from '../errors.js';
import { SlackWebhook, type SlackWebhookOptions, type WebhookUrlSource } from './slack-webhook.js';

export class SlackPublishError extends KmsGuardError {
  constructor(readonly decisionIds: readonly string[], options?: ErrorOptions) {
    super(`could not post ${decisionIds.length} decision(s) to Slack: ${decisionIds.join(', ')}`, options);
  }
}

export class SlackDecisionPublisher implements DecisionPublisher {
  private readonly webhook: SlackWebhook;

  constructor(webhookUrl: string | WebhookUrlSource, options: SlackWebhookOptions = {}) {
    this.webhook = new SlackWebhook(webhookUrl, options);
  }

  async publish(decisions: readonly Decision[]): Promise<void> {
    const failed: string[] = [];
    const errors: unknown[] = [];
    for (const decision of decisions) {
      try {
        await this.webhook.post(buildSlackMessage(decision));
      } catch (error) {
        failed.push(decision.decisionId);
        errors.push(error);
      }
    }
    if (failed.length > 0) throw new SlackPublishError(failed, { cause: errors.length === 1 ? errors[0] : new AggregateError(errors) });
  }
}
