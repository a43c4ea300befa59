/** The CDK app entry (cdk.json: `npx tsx infra/app.ts`). Stacks and settings: infra/build-app.ts. */
import { buildApp } from './build-app.js';

buildApp().synth();
