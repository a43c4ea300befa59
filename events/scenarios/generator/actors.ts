/** The people and workloads of the scenario accounts. */
import { consoleSession, sdkSession, serviceOnBehalf, TERRAFORM_AGENT, type Actor } from './identities.js';
import { ACCOUNT, SECOND_ACCOUNT } from './ids.js';

/** A person in the console through the Admin role (not exempt). */
export const admin = (at: string): Actor => consoleSession(ACCOUNT, 'Admin', 'alice@example.com', at);
export const secondAccountAdmin = (at: string): Actor => consoleSession(SECOND_ACCOUNT, 'Admin', 'carol@example.com', at);
export const platformOps = (at: string): Actor => consoleSession(ACCOUNT, 'platform-ops', 'bob@example.com', at);

/** The IaC deployment role, the exempt principal (`--exempt-principal arn:aws:iam::111122223333:role/iac-deployer`). */
export const iacDeployer = (at: string, run = 'terraform-ci-4512', account = ACCOUNT): Actor =>
  sdkSession(account, 'iac-deployer', run, at, TERRAFORM_AGENT, '34.201.18.77');

/** A role's session through an AWS service (S3 SSE-KMS, Lambda, EC2 for EBS). */
export const via = (role: string, session: string, service: string) => (at: string): Actor =>
  serviceOnBehalf(ACCOUNT, role, session, at, service);

/** A workload calling KMS directly with an SDK. */
export const workload = (role: string, session: string, userAgent: string) => (at: string): Actor =>
  sdkSession(ACCOUNT, role, session, at, userAgent);
