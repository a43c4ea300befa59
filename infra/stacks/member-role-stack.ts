/**
 * Org mode, once per member account (IAM is global): the roles the guard assumes to act on keys in this account,
 * because CancelKeyDeletion cannot be called cross-account. One role per duty (function-access.ts): deletion
 * (cancel, restore), sweeps (cancel, restore, revoke) and policy (read only), each allowing only its functions' KMS actions and
 * trusted only by exactly those functions' roles in the central account, in the Regions the guard runs in.
 */
import { Aws, DefaultStackSynthesizer, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { GUARD_ROLE_PATH, guardRoleName } from '../constructs/guard-function.js';
import { functionsOfDuty, REMEDIATION_DUTIES, remediationActions, remediationRoleName, type RemediationDuty } from '../function-access.js';
import { acknowledge } from '../nag.js';
import { accountId, DEFAULT_SETTINGS } from '../settings.js';

export interface MemberRoleStackProps extends StackProps {
  /** The account running the guard (KmsGuardStack). */
  readonly centralAccountId: string;
  /** Must match the guard's `remediationRoleName`. Default `kms-guard-remediation`; each duty appends `-<duty>`. */
  readonly remediationRoleName?: string;
  /** The Regions the central guard runs in (its role names carry the Region). Default: this stack's Region. */
  readonly guardRegions?: readonly string[];
}

const DUTY_DESCRIPTIONS: Readonly<Record<RemediationDuty, string>> = {
  deletion: 'kms-guard: cancel risky key deletions and restore key state (central deletion guard only)',
  sweeps: 'kms-guard: the hourly sweeps: re-judge keys pending deletion, revoke stale grants (central sweep worker only)',
  policy: 'kms-guard: describe keys, custom key stores and CloudHSM clusters (central policy guard only; read only)',
};

export class MemberRoleStack extends Stack {
  readonly roles: Readonly<Record<RemediationDuty, iam.Role>>;

  constructor(scope: Construct, id: string, props: MemberRoleStackProps) {
    // No bootstrap-version rule: the template also deploys through StackSets to un-bootstrapped accounts.
    super(scope, id, { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }), ...props });
    const central = accountId(props.centralAccountId, 'centralAccountId');
    const regions = props.guardRegions !== undefined && props.guardRegions.length > 0 ? props.guardRegions : [Aws.REGION];
    const baseName = props.remediationRoleName ?? DEFAULT_SETTINGS.remediationRoleName;
    const roles = REMEDIATION_DUTIES.map((duty) => [duty, this.dutyRole(duty, central, regions, baseName)] as const);
    this.roles = Object.fromEntries(roles) as Record<RemediationDuty, iam.Role>;
  }

  private dutyRole(duty: RemediationDuty, central: string, regions: readonly string[], baseName: string): iam.Role {
    // Exact ARNs, no wildcard: a role created later in the central account, whatever its name, cannot assume this one.
    const trusted = functionsOfDuty(duty).flatMap((name) =>
      regions.map((region) => `arn:${Aws.PARTITION}:iam::${central}:role${GUARD_ROLE_PATH}${guardRoleName(name, region)}`),
    );
    const role = new iam.Role(this, `${duty[0]?.toUpperCase()}${duty.slice(1)}Role`, {
      roleName: remediationRoleName(baseName, duty),
      description: DUTY_DESCRIPTIONS[duty],
      assumedBy: new iam.PrincipalWithConditions(new iam.AccountPrincipal(central), { ArnEquals: { 'aws:PrincipalArn': trusted } }),
    });
    const { keyActions, accountActions } = remediationActions(duty);
    if (keyActions.length > 0) {
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'KmsKeyActions',
          actions: keyActions,
          // Every Region: the role is global, the guard runs per Region.
          resources: [`arn:${Aws.PARTITION}:kms:*:${Aws.ACCOUNT_ID}:key/*`],
        }),
      );
      acknowledge(
        role,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:*:<AWS::AccountId>:key/*]',
        'The guard protects every key of this account in every Region where it runs, including keys created later; only this duty\'s non-cryptographic actions are allowed.',
      );
    }
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ListAndDescribe', actions: accountActions, resources: ['*'] }));
    acknowledge(role, 'AwsSolutions-IAM5[Resource::*]', `${accountActions.join(', ')} support no resource-level permissions.`);
    new CfnOutput(this, `${duty[0]?.toUpperCase()}${duty.slice(1)}RoleArn`, { value: role.roleArn });
    return role;
  }
}
