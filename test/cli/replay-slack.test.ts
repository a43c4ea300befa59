/**
 * `kms-guard replay --slack-webhook <url>`: every decision posted as an escaped Block Kit message to a real HTTP server
 * on 127.0.0.1 standing in for Slack, through a 429, and the JSON output unchanged by the webhook.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SlackServer } from '../support/slack-server.js';
import { runCli, scenarioReplayArgs, type CliResult } from './run-cli.js';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
const INJECTION = '<!channel> <https://evil.example|click here> *bold* `tick`';

/** A key disabled while in use, then a workload whose user agent carries Slack markup: the alert must show it as text. */
const hostileHistory = (): string => {
  const record = (eventID: string, eventName: string, eventTime: string, extra: Record<string, unknown> = {}) => ({
    eventVersion: '1.08',
    userIdentity: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/app/session-1',
      accountId: '111122223333',
      sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/app', accountId: '111122223333', userName: 'app' } },
    },
    eventTime,
    eventSource: 'kms.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '192.0.2.10',
    userAgent: 'aws-sdk-js/3',
    requestParameters: { keyId: KEY },
    responseElements: null,
    eventID,
    readOnly: eventName === 'Decrypt',
    resources: [{ accountId: '111122223333', type: 'AWS::KMS::Key', ARN: KEY }],
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
    ...extra,
  });
  return [
    record('00000000-0000-4000-8000-000000000001', 'Decrypt', '2026-11-20T10:00:00Z'),
    record('00000000-0000-4000-8000-000000000002', 'DisableKey', '2026-11-21T10:00:00Z'),
    record('00000000-0000-4000-8000-000000000003', 'Decrypt', '2026-11-21T10:05:00Z', {
      userAgent: INJECTION,
      errorCode: 'DisabledException',
      errorMessage: `${KEY} is disabled.`,
    }),
  ]
    .map((line) => JSON.stringify(line))
    .join('\n');
};

describe('kms-guard replay --slack-webhook', () => {
  let slack: SlackServer;
  let hostile: string;
  let withSlack: CliResult;
  let withoutSlack: CliResult;
  const replay = (extra: string[]) => runCli(scenarioReplayArgs(inject('dynamoEndpoint'), extra, [hostile]));

  beforeAll(async () => {
    hostile = path.join(await mkdtemp(path.join(tmpdir(), 'kms-guard-hostile-')), 'hostile.jsonl');
    await writeFile(hostile, hostileHistory());
    slack = await SlackServer.start();
    slack.failNext(1, { status: 429, retryAfter: 1 });
    withSlack = await replay(['--slack-webhook', `${slack.url}/services/T000/B000/XXXX`]);
    withoutSlack = await replay([]);
  }, 240_000);

  afterAll(async () => {
    await slack.close();
    await rm(path.dirname(hostile), { recursive: true, force: true });
  });

  const decisions = (result: CliResult) => result.lines().filter((line) => line.kind === 'decision');

  it('prints the same JSON with or without the webhook', () => {
    expect(withSlack.status).toBe(0);
    expect(withSlack.stdout).toBe(withoutSlack.stdout);
  });

  it('delivers one Block Kit message per decision, the first after honouring a 429', () => {
    expect(slack.requests[0]?.status).toBe(429);
    expect(slack.delivered).toHaveLength(decisions(withSlack).length);
    for (const message of slack.delivered) {
      expect(message).toMatchObject({ text: expect.any(String), blocks: expect.arrayContaining([expect.objectContaining({ type: 'header' })]) });
    }
  });

  it('posts an alert for every alert decision, including the use-while-disabled one carrying the hostile user agent', () => {
    const alerts = decisions(withSlack).filter((decision) => decision.action === 'alert');
    expect(alerts.length).toBeGreaterThan(5);
    const hostileAlert = alerts.find((decision) => decision.keyArn === KEY && (decision.reasons as string[]).includes('use-while-disabled'));
    expect(hostileAlert).toBeDefined();
  });

  it('escapes event text so that it cannot mention the channel or inject a link', () => {
    const posted = slack.requests.map((request) => request.raw).join('\n');
    expect(posted).toContain('&lt;!channel&gt;');
    expect(posted).not.toContain('<!channel>');
    expect(posted).not.toContain('<https://evil.example|');
  });
});
