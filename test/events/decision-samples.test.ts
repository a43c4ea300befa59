/**
 * events/decisions/*.json are what the guard really publishes: regenerated from the scenario replay they must not
 * differ, and each is a valid decision event the notifier accepts.
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSamples, SAMPLES } from '../../events/decisions/build.js';
import { decisionEventSchema, detailTypeFor } from '../../lib/domain/decision-events.js';

describe('the decision samples in events/decisions', () => {
  let built: Awaited<ReturnType<typeof buildSamples>>;
  beforeAll(async () => {
    built = await buildSamples();
  }, 60_000);

  it('are the decisions the guard makes today over events/scenarios (npx tsx events/decisions/build.ts)', async () => {
    for (const { file, text } of built) expect(await readFile(file, 'utf8'), file).toBe(text);
  });

  it('are valid decision events, one per detail-type, each with the decisive reason it stands for', async () => {
    const detailTypes = new Set<string>();
    for (const [index, { file }] of built.entries()) {
      const event = decisionEventSchema.parse(JSON.parse(await readFile(file, 'utf8')));
      const sample = SAMPLES[index];
      expect(event.detail.action).toBe(sample?.action);
      expect(event.detail.reasons[0]).toBe(sample?.decisiveReason);
      expect(event['detail-type']).toBe(detailTypeFor(event.detail.action));
      expect(event.resources).toEqual([event.detail.keyArn]);
      detailTypes.add(event['detail-type']);
    }
    expect(detailTypes.size).toBe(4);
  });
});
