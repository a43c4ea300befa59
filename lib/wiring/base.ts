/**
 * What every function's wiring shares: the configuration (read once per container from lib/config.ts; a missing or
 * wrong setting fails the cold start naming the variable), the logger and the clock. No AWS client lives here: each
 * function builds only the clients it uses (see the other modules of lib/wiring), so its bundle carries only those.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig, type RuntimeConfig } from '../config.js';
import type { Clock } from '../domain/ports.js';

export const systemClock: Clock = { now: () => new Date() };

export interface BaseRuntime {
  readonly config: RuntimeConfig;
  readonly logger: Logger;
  readonly clock: Clock;
}

export const baseRuntime = (): BaseRuntime => ({ config: loadConfig(), logger: new Logger({ serviceName: 'kms-guard' }), clock: systemClock });

/** Builds a function's runtime once per container (at cold start), however often the entry asks. */
export const once = <T>(build: () => T): (() => T) => {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
};
