import { describe, expect, it } from 'vitest';
import type { Decision } from '../../lib/domain/model.js';
import { buildSlackMessage, cloudTrailEventUrl, kmsConsoleUrl, severityOf } from '../../lib/domain/slack-message.js';
import { code, joinWithin, mrkdwn } from '../../lib/domain/slack-message-text.js';

const KEY = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const decision = (overrides: Partial<Decision> = {}): Decision => ({
  decisionId: 'c217db1f-903f-4a2f-8f88-9580182d6313',
  action: 'cancel-deletion',
  keyArn: KEY,
  reasons: ['recent-use'],
  evidence: { aliases: ['alias/payments'], lastUsedAt: '2024-10-20T10:00:00.000Z', topCallers: [{ id: 'arn:aws:iam::111122223333:role/payments-api', count: 1200, lastAt: '2024-10-20T10:00:00.000Z' }] },
  eventId: 'c217db1f-903f-4a2f-8f88-9580182d6313',
  decidedAt: '2024-10-21T14:25:30.000Z',
  actor: 'arn:aws:iam::111122223333:role/ops',
  accountId: '111122223333',
  region: 'us-west-2',
  reEnable: true,
  deletionDate: '2024-10-28T14:25:29.000Z',
  dryRun: false,
  outcome: [{ call: 'CancelKeyDeletion', result: 'ok' }, { call: 'EnableKey', result: 'ok' }],
  ...overrides,
});
const allText = (message: ReturnType<typeof buildSlackMessage>): string => JSON.stringify(message);

describe('mrkdwn escaping', () => {
  it('turns &, < and > into entities so mentions and links stay text', () => {
    expect(mrkdwn('<!channel> & <@U123> <https://evil|click>')).toBe('&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://evil|click&gt;');
  });

  it('neutralises formatting marks in free text but keeps mid-word underscores of role names', () => {
    expect(mrkdwn('*bold* ~strike~ `code` _it_ AWSReservedSSO_Admin_1')).toBe('∗bold∗ ∼strike∼ ˋcodeˋ ＿it＿ AWSReservedSSO_Admin_1');
  });

  it('keeps an identifier inside its code span even when it holds a backtick', () => {
    expect(code('role/`x`<y>')).toBe('`role/ˋxˋ&lt;y&gt;`');
  });

  it('truncates long free text and flattens newlines', () => {
    const text = mrkdwn(`aws-cli/2.0\n${'x'.repeat(500)}`, 50);
    expect(text).toHaveLength(50);
    expect(text.endsWith('…')).toBe(true);
    expect(text).not.toContain('\n');
  });

  it('drops whole lines past a section limit', () => {
    const joined = joinWithin(Array.from({ length: 100 }, (_, index) => `line ${index} ${'y'.repeat(60)}`), 3000);
    expect(joined.length).toBeLessThanOrEqual(3000);
    expect(joined.endsWith('…')).toBe(true);
  });
});

describe('the Slack message for a decision', () => {
  it('shows severity, the key and its alias, account, Region, actor, reasons, evidence, the deletion date and the outcome', () => {
    const text = allText(buildSlackMessage(decision()));
    for (const expected of [KEY, 'alias/payments', '111122223333', 'us-west-2', 'role/ops', 'recent-use', 'payments-api', '×1200', '2024-10-28T14:25:29.000Z', 'CancelKeyDeletion', 'high']) {
      expect(text).toContain(expected);
    }
  });

  it('links the key in the KMS console and the event in CloudTrail event history', () => {
    expect(kmsConsoleUrl('us-west-2', KEY)).toBe('https://us-west-2.console.aws.amazon.com/kms/home?region=us-west-2#/kms/keys/1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(cloudTrailEventUrl('us-west-2', 'c217db1f')).toBe('https://us-west-2.console.aws.amazon.com/cloudtrail/home?region=us-west-2#/events?EventId=c217db1f');
    const text = allText(buildSlackMessage(decision()));
    expect(text).toContain('<https://us-west-2.console.aws.amazon.com/kms/home?region=us-west-2#/kms/keys/1234abcd-12ab-34cd-56ef-1234567890ab|Key in the KMS console>');
    expect(text).toContain('#/events?EventId=c217db1f-903f-4a2f-8f88-9580182d6313|Event in CloudTrail>');
  });

  it('builds no console link from a key id or Region that could break out of the link', () => {
    expect(kmsConsoleUrl('us-west-2', 'arn:aws:kms:us-west-2:1:key/x|<!channel>')).toBeUndefined();
    expect(cloudTrailEventUrl('us-west-2>', 'e')).toBeUndefined();
  });

  it('leaves no injected mention or link in the posted JSON, wherever the event put it', () => {
    const hostile = '<!channel> <https://evil.example|click here> <@U123>';
    const message = buildSlackMessage(decision({
      actor: hostile,
      keyArn: `arn:aws:kms:us-west-2:111122223333:key/${hostile}`,
      reasons: [hostile],
      evidence: { aliases: [hostile], userAgent: hostile, topCallers: [{ id: hostile, count: 1 }], encryptionContext: { note: hostile } },
      outcome: [{ call: hostile, result: 'failed', detail: hostile }],
    }));
    const posted = JSON.stringify(message);
    expect(posted).not.toContain('<!channel>');
    expect(posted).not.toContain('<@U123>');
    expect(posted).not.toContain('<https://evil');
    expect(posted).toContain('&lt;!channel&gt;');
  });

  it('stays within Block Kit limits for huge evidence (header 150, section text 3000, at most 10 fields)', () => {
    const message = buildSlackMessage(decision({
      reasons: Array.from({ length: 200 }, (_, index) => `reason-${index}`),
      evidence: Object.fromEntries(Array.from({ length: 200 }, (_, index) => [`fact${index}`, 'z'.repeat(1000)])),
      actor: 'a'.repeat(5000),
      grantId: 'g'.repeat(100),
    }));
    for (const block of message.blocks) {
      if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(150);
      if (block.type === 'section' && block.text !== undefined) expect(block.text.text.length).toBeLessThanOrEqual(3000);
      if (block.type === 'section' && block.fields !== undefined) {
        expect(block.fields.length).toBeLessThanOrEqual(10);
        for (const field of block.fields) expect(field.text.length).toBeLessThanOrEqual(2000);
      }
    }
    expect(message.blocks.length).toBeLessThanOrEqual(50);
  });

  it('says "would" in dry run, and rates a failed KMS call critical', () => {
    expect(allText(buildSlackMessage(decision({ dryRun: true, outcome: undefined })))).toContain('[dry run] Would cancel');
    expect(severityOf(decision({ outcome: [{ call: 'CancelKeyDeletion', result: 'failed', detail: 'AccessDenied' }] }))).toBe('critical');
  });

  it('rates a policy lockout critical, a public policy high, an unreadable policy medium, an allowed deletion info', () => {
    const alert = (reasons: string[]) => decision({ action: 'alert', reasons, outcome: [] });
    expect(severityOf(alert(['policy-lockout']))).toBe('critical');
    expect(severityOf(alert(['public-key-policy']))).toBe('high');
    expect(severityOf(alert(['policy-unreadable']))).toBe('medium');
    expect(severityOf(decision({ action: 'allow-deletion', outcome: [] }))).toBe('info');
  });

  it('rates a fail-closed cancellation critical, although every KMS call succeeded, and explains it', () => {
    for (const reason of ['evidence-unavailable', 'decision-store-unavailable']) {
      const failClosed = decision({ reasons: [reason], outcome: [{ call: 'CancelKeyDeletion', result: 'ok' }] });
      expect(severityOf(failClosed)).toBe('critical');
      expect(allText(buildSlackMessage(failClosed))).toContain('fail closed');
    }
    expect(allText(buildSlackMessage(decision({ action: 'alert', reasons: ['usage-events-unverified'], outcome: [] })))).toContain('read-only KMS event');
  });
});
