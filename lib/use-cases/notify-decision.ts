/** Tells people about a decision: its Block Kit message, posted to Slack. Delivery failures propagate. */
import type { Decision } from '../domain/model.js';
import { buildSlackMessage, type SlackPoster } from '../domain/slack-message.js';

export interface NotifyDeps {
  readonly slack: SlackPoster;
}

export const notifyDecision = async (deps: NotifyDeps, decision: Decision): Promise<void> => {
  await deps.slack.post(buildSlackMessage(decision));
};
