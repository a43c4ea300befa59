/** Who makes the calls: userIdentity blocks in the shapes CloudTrail records for each kind of caller. */
import { upperIdFor } from './ids.js';

export interface Actor {
  readonly userIdentity: Record<string, unknown>;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  /** Top-level fields some callers add (tlsDetails, sessionCredentialFromConsole). */
  readonly extra: Record<string, unknown>;
}

export const roleArn = (account: string, role: string): string => `arn:aws:iam::${account}:role/${role}`;
export const sessionArn = (account: string, role: string, session: string): string =>
  `arn:aws:sts::${account}:assumed-role/${role}/${session}`;

const CONSOLE_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';
export const TERRAFORM_AGENT =
  'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 ' +
  '(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/kms#1.37.7';
export const JAVA_AGENT =
  'aws-sdk-java/2.29.20 Linux/6.1.115-126.197.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy';
export const PYTHON_AGENT =
  'Boto3/1.35.68 md/Botocore#1.35.68 ua/2.0 os/linux#6.1.115 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.68';
export const NODE_AGENT = 'aws-sdk-js/3.699.0 ua/2.1 os/linux#6.1.115 lang/js md/nodejs#22.11.0 api/kms#3.699.0';

const tls = (host: string) => ({
  tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: host },
});

const hourOf = (at: string): string => `${at.slice(0, 13)}:00:00Z`;

const assumedRole = (account: string, role: string, session: string, at: string, invokedBy?: string): Record<string, unknown> => {
  const roleId = `AROA${upperIdFor(`role/${account}/${role}`, 17)}`;
  return {
    type: 'AssumedRole',
    principalId: `${roleId}:${session}`,
    arn: sessionArn(account, role, session),
    accountId: account,
    accessKeyId: `ASIA${upperIdFor(`session/${account}/${role}/${session}/${hourOf(at)}`, 16)}`,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: roleId, arn: roleArn(account, role), accountId: account, userName: role },
      attributes: { creationDate: hourOf(at), mfaAuthenticated: 'false' },
    },
    ...(invokedBy === undefined ? {} : { invokedBy }),
  };
};

/** A person in the console, through an assumed role (SSO-style). */
export const consoleSession = (account: string, role: string, person: string, at: string): Actor => ({
  userIdentity: assumedRole(account, role, person, at),
  sourceIPAddress: '198.51.100.24',
  userAgent: CONSOLE_AGENT,
  extra: { ...tls('kms.us-east-1.amazonaws.com'), sessionCredentialFromConsole: 'true' },
});

/** A workload calling KMS itself with an SDK, from a role session. */
export const sdkSession = (account: string, role: string, session: string, at: string, userAgent: string, sourceIp = '10.20.3.41'): Actor => ({
  userIdentity: assumedRole(account, role, session, at),
  sourceIPAddress: sourceIp,
  userAgent,
  extra: tls('kms.us-east-1.amazonaws.com'),
});

/** An AWS service calling KMS on behalf of a role (S3 SSE-KMS, Lambda environment variables, EC2 for EBS). */
export const serviceOnBehalf = (account: string, role: string, session: string, at: string, service: string): Actor => ({
  userIdentity: assumedRole(account, role, session, at, service),
  sourceIPAddress: service,
  userAgent: service,
  extra: {},
});

/** EC2's own role for an instance, decrypting an EBS volume's data key at attach. */
export const ec2Infrastructure = (account: string, instanceId: string, at: string): Actor => ({
  userIdentity: {
    type: 'AssumedRole',
    principalId: `${account}:aws:ec2-infrastructure:${instanceId}`,
    arn: sessionArn(account, 'aws:ec2-infrastructure', instanceId),
    accountId: account,
    accessKeyId: `ASIA${upperIdFor(`ec2-infrastructure/${instanceId}/${at}`, 16)}`,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: `${account}:aws:ec2-infrastructure`,
        arn: roleArn(account, 'aws:ec2-infrastructure'),
        accountId: account,
        userName: 'aws:ec2-infrastructure',
      },
      attributes: { creationDate: at, mfaAuthenticated: 'false' },
    },
    invokedBy: 'AWS Internal',
    inScopeOf: { issuerType: 'AWS::EC2::Instance', credentialsIssuedTo: `arn:aws:ec2:us-east-1:${account}:instance/${instanceId}` },
  },
  sourceIPAddress: 'AWS Internal',
  userAgent: 'AWS Internal',
  extra: {},
});
