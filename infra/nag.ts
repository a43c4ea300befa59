/**
 * cdk-nag (v3: a CDK validation plugin). The app registers the packs so `cdk synth` fails on any
 * unacknowledged finding; tests call `nagViolations` on a synthesized stack.
 */
import { Validations, type PolicyViolation } from 'aws-cdk-lib';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

const packs = (scope?: IConstruct): NagPack[] => [
  new AwsSolutionsChecks(scope, { verbose: true }),
  new ServerlessChecks(scope, { verbose: true }),
];

export const applyNagChecks = (app: IConstruct): void => {
  Validations.of(app).addPlugins(...packs(app));
};

/** Every unacknowledged AwsSolutions and Serverless finding (errors and warnings) under `scope`. */
export const nagViolations = (scope: IConstruct): PolicyViolation[] =>
  packs().flatMap((pack) => pack.validateScope(scope).violations);

/** Acknowledges one cdk-nag finding on a construct and its children, with the reason kept in code and metadata. */
export const acknowledge = (scope: IConstruct, id: string, reason: string): void => {
  Validations.of(scope).acknowledge({ id, reason });
};
