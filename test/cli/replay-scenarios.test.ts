/**
 * `npm start`'s replay of events/scenarios against the oracle in test/replay/scenario-expectations.ts, which was
 * written from the guard's specification, not by running the guard.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  EXPECTED_DECISIONS,
  EXPECTED_KEY_FACTS,
  EXPECTED_KEY_STATES,
  EXPECTED_NO_DECISION,
  type ExpectedDecision,
} from '../replay/scenario-expectations.js';
import type { Decision } from '../../lib/domain/model.js';
import { buildSlackMessage } from '../../lib/domain/slack-message.js';
import { runCli, scenarioReplayArgs, type CliResult } from './run-cli.js';

interface DecisionLine {
  readonly action: string;
  readonly keyArn: string;
  readonly grantId?: string;
  readonly reasons: string[];
  readonly eventId: string;
  readonly reEnable?: boolean;
  readonly evidence: unknown;
}

const matches = (expected: ExpectedDecision, decision: DecisionLine): boolean =>
  decision.keyArn === expected.keyArn &&
  decision.action === expected.action &&
  (expected.grantId === undefined || decision.grantId === expected.grantId) &&
  decision.reasons[0] === expected.decisiveReason &&
  expected.reasonsInclude.every((reason) => decision.reasons.includes(reason)) &&
  (expected.reEnable === undefined || decision.reEnable === expected.reEnable) &&
  (expected.triggerEventId === undefined || decision.eventId === expected.triggerEventId) &&
  (expected.evidenceIncludes ?? []).every((text) => JSON.stringify(decision.evidence).includes(text));

describe('kms-guard replay over the scenario histories in events/scenarios', () => {
  let result: CliResult;
  let decisions: DecisionLine[];

  beforeAll(async () => {
    result = await runCli(scenarioReplayArgs(inject('dynamoEndpoint')));
    decisions = result.lines().filter((line) => line.kind === 'decision') as unknown as DecisionLine[];
  }, 180_000);

  it('reads every record: valid input, exit 0, the non-KMS records skipped', () => {
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/\n  0 rejected\n/);
    expect(result.stderr).toMatch(/\d+ skipped \([1-9]\d* not KMS\)/);
  });

  it.each(EXPECTED_DECISIONS.map((expected) => [`${expected.action} ${expected.decisiveReason} on ${expected.keyAlias}`, expected] as const))(
    'decides %s',
    (_, expected) => {
      const found = decisions.filter((decision) => matches(expected, decision));
      expect(found.length, `${expected.why}\ndecisions on this key: ${JSON.stringify(decisions.filter((d) => d.keyArn === expected.keyArn).map((d) => [d.action, d.reasons, d.eventId]))}`).toBeGreaterThan(0);
      if (expected.occurrences !== undefined) expect(found).toHaveLength(expected.occurrences);
    },
  );

  it('revokes exactly the stale and expired grants, nothing else', () => {
    const revoked = decisions.filter((decision) => decision.action === 'revoke-grant').map((decision) => decision.grantId).sort();
    const expected = EXPECTED_DECISIONS.filter((entry) => entry.action === 'revoke-grant').map((entry) => entry.grantId).sort();

    expect(expected.length).toBeGreaterThan(0);
    expect(revoked).toEqual(expected);
  });

  it.each(EXPECTED_NO_DECISION.map((expected) => [expected.keyAlias, expected] as const))('makes no forbidden decision on %s', (_, expected) => {
    const forbidden = decisions.filter(
      (decision) =>
        decision.keyArn === expected.keyArn &&
        (expected.grantId === undefined || decision.grantId === expected.grantId) &&
        (expected.forbiddenActions.includes(decision.action as never) ||
          (expected.forbiddenReasons ?? []).some((reason) => decision.reasons.includes(reason))),
    );
    expect(forbidden, expected.why).toEqual([]);
  });

  it.each(EXPECTED_KEY_FACTS.map((expected) => [expected.keyAlias, expected] as const))('reports the usage of %s', (_, expected) => {
    const line = result.lines().find((candidate) => candidate.kind === 'key' && candidate.keyArn === expected.keyArn);
    expect(line?.useCount, expected.why).toBe(expected.useCount);
    expect(new Date(String(line?.lastUsedAt)).toISOString()).toBe(new Date(expected.lastUsedAt).toISOString());
  });

  it.each(EXPECTED_KEY_STATES.map((expected) => [expected.keyAlias, expected] as const))('shows the state of %s', (_, expected) => {
    const line = result.lines().find((candidate) => candidate.kind === 'key' && candidate.keyArn === expected.keyArn);
    expect(line?.state, expected.why).toBe(expected.state);
  });

  it('names the key by its alias in every deletion and grant decision, as the Slack message shows it', () => {
    const onAliasedKeys = EXPECTED_DECISIONS.filter((expected) => expected.keyAlias.startsWith('alias/') && expected.action !== 'alert');
    expect(onAliasedKeys.length).toBeGreaterThan(5);
    for (const expected of onAliasedKeys) {
      // Grant entries are labelled "alias/<key> grant <name>".
      const [keyAlias = ''] = expected.keyAlias.split(' ');
      const decision = decisions.find((candidate) => matches(expected, candidate));
      expect((decision?.evidence as { aliases?: unknown } | undefined)?.aliases, expected.keyAlias).toContain(keyAlias);
      const alias = buildSlackMessage(decision as unknown as Decision).blocks[1];
      expect(JSON.stringify(alias), expected.keyAlias).toContain(`*Alias*\\n\`${keyAlias}\``);
    }
  });
});

