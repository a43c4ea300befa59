/** Building blocks of a key's history: its birth and its routine use. */
import type { CloudTrailRecord } from './cloudtrail-record.js';
import type { Actor } from './identities.js';
import type { ScenarioKey } from './ids.js';
import { createAlias, createKey, decrypt, type KeySpecOptions, type UseOptions } from './kms-records.js';
import { daysBefore as D, plusSeconds } from './time.js';

/** CreateKey and CreateAlias, as one deployment makes them. */
export const born = (key: ScenarioKey, at: string, actor: (at: string) => Actor, options: KeySpecOptions = {}): CloudTrailRecord[] => [
  createKey({ key, at, actor: actor(at) }, options),
  createAlias({ key, at: plusSeconds(at, 2), actor: actor(plusSeconds(at, 2)) }),
];

/** Decrypts on the given days (days before --now) at one time of day. */
export const decryptsOn = (
  key: ScenarioKey,
  days: readonly number[],
  timeOfDay: string,
  actor: (at: string) => Actor,
  options: UseOptions = {},
  stepPrefix = 'use',
): CloudTrailRecord[] =>
  days.map((day) => decrypt({ key, step: `${stepPrefix}/${day}`, at: D(day, timeOfDay), actor: actor(D(day, timeOfDay)) }, options));

export const range = (from: number, to: number, step = 1): number[] => {
  const days: number[] = [];
  for (let day = from; day >= to; day -= step) days.push(day);
  return days;
};

