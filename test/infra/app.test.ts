/**
 * The app as `cdk synth` runs it: every function really bundled by esbuild, cdk-nag registered as a
 * validation plugin (synthesis fails on any unacknowledged finding), no AWS credentials or lookups.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { REPO_ROOT } from '../../infra/constructs/guard-function.js';
import { FUNCTION_NAMES } from '../../infra/function-access.js';

let outdir: string;
let assembly: CloudAssembly;

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'kms-guard-cdk-'));
  const app = new App({ outdir, context: { centralAccountId: '111122223333', 'aws:cdk:disable-stack-trace': true, 'aws:cdk:enable-asset-metadata': true } });
  assembly = buildApp(app).synth();
}, 900_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the CDK app', () => {
  it('has an entry in functions/ for every function of the routing table', () => {
    for (const name of FUNCTION_NAMES) expect(existsSync(path.join(REPO_ROOT, 'functions', `${name}.ts`)), name).toBe(true);
  });

  it('synthesizes the guard and, given a central account, the two member stacks, with cdk-nag passing', () => {
    expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual(['KmsGuard', 'KmsGuardMemberForwarder', 'KmsGuardMemberRole']);
    for (const stack of assembly.stacks) {
      expect(stack.environment.account).toBe('unknown-account');
      expect(stack.environment.region).toBe('unknown-region');
    }
  });

  it('bundles each function as minified ESM with a source map and a require() shim for CommonJS dependencies', () => {
    const guard = assembly.getStackByName('KmsGuard');
    const functions = Object.values(guard.template.Resources as Record<string, { Type: string; Metadata?: Record<string, string> }>).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function',
    );
    expect(functions).toHaveLength(FUNCTION_NAMES.length);
    for (const fn of functions) {
      const assetPath = fn.Metadata?.['aws:asset:path'];
      expect(assetPath).toBeDefined();
      const bundle = readFileSync(path.join(outdir, String(assetPath), 'index.mjs'), 'utf8');
      expect(bundle.startsWith("import { createRequire as __kmsGuardCreateRequire } from 'node:module';")).toBe(true);
      expect(bundle).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      expect(existsSync(path.join(outdir, String(assetPath), 'index.mjs.map'))).toBe(true);
      // Minified: long lines (newlines survive only inside template literals); unminified output averages ~40 chars.
      expect(bundle.length / bundle.split('\n').length).toBeGreaterThan(500);
    }
  });
});
