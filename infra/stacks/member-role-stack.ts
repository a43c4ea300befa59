/**
 * Org mode, once per member account (IAM is global): the role the guard assumes to act on keys in this
 * account, because CancelKeyDeletion cannot be called cross-account. Only the guard's own function roles
 * in the central account can assume it, and it allows only the KMS actions the guard calls.
 */
import { Aws, DefaultStackSynthesizer, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { GUARD_ROLE_PATH } from '../constructs/guard-function.js';
import { callsKms, FUNCTION_ACCESS, FUNCTION_NAMES, remediationActions } from '../function-access.js';
import { acknowledge } from '../nag.js';
import { accountId, DEFAULT_SETTINGS } from '../settings.js';

export interface MemberRoleStackProps extends StackProps {
  /** The account running the guard (KmsGuardStack). */
  readonly centralAccountId: string;
  /** Must match the guard's `remediationRoleName`. Default `kms-guard-remediation`. */
  readonly remediationRoleName?: string;
}

export class MemberRoleStack extends Stack {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: MemberRoleStackProps) {
    // No bootstrap-version rule: the template also deploys through StackSets to un-bootstrapped accounts.
    super(scope, id, { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }), ...props });
    const central = accountId(props.centralAccountId, 'centralAccountId');
    // The guard's KMS-calling roles are named kms-guard-<function>-<region> under /kms-guard/ (any Region).
    const guardRoles = FUNCTION_NAMES.filter((name) => callsKms(FUNCTION_ACCESS[name])).map(
      (name) => `arn:${Aws.PARTITION}:iam::${central}:role${GUARD_ROLE_PATH}kms-guard-${name}-*`,
    );
    this.role = new iam.Role(this, 'RemediationRole', {
      roleName: props.remediationRoleName ?? DEFAULT_SETTINGS.remediationRoleName,
      description: 'kms-guard: cancel risky key deletions, restore key state, revoke stale grants (central guard only)',
      assumedBy: new iam.PrincipalWithConditions(new iam.AccountPrincipal(central), {
        ArnLike: { 'aws:PrincipalArn': guardRoles },
      }),
    });
    const { keyActions, accountActions } = remediationActions();
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'KmsKeyActions',
        actions: keyActions,
        // Every Region: the role is global, the guard runs per Region.
        resources: [`arn:${Aws.PARTITION}:kms:*:${Aws.ACCOUNT_ID}:key/*`],
      }),
    );
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'ListAndDescribe', actions: accountActions, resources: ['*'] }));
    acknowledge(
      this.role,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:*:<AWS::AccountId>:key/*]',
      'The guard protects every key of this account in every Region where it runs, including keys created later; only the guard\'s non-cryptographic actions are allowed.',
    );
    acknowledge(this.role, 'AwsSolutions-IAM5[Resource::*]', `${accountActions.join(', ')} support no resource-level permissions.`);
    new CfnOutput(this, 'RemediationRoleArn', { value: this.role.roleArn });
  }
}
