/** The CDK app entry (cdk.json: `npx tsx infra/app.ts`). Stacks and settings: infra/build-app.ts. */
import { ConfigError } from '../lib/errors.js';
import { buildApp } from './build-app.js';

try {
  buildApp().synth();
} catch (error) {
  // A wrong setting is the user's to fix: say which, once, without a stack trace.
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`kms-guard: ${error.message} (see "Configuration" in README.md)\n`);
  process.exitCode = 1;
}
