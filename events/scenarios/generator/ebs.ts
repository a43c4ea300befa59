/**
 * An encrypted EBS volume created and attached by a person: the records CloudTrail writes for it
 * (shapes from github-lab-writeups/fr-academy-lab__*.json). The grant stays active while the volume is attached.
 */
import type { CloudTrailRecord } from './cloudtrail-record.js';
import { ec2Infrastructure, serviceOnBehalf, sessionArn, type Actor } from './identities.js';
import type { ScenarioKey } from './ids.js';
import { createGrant, decrypt, generateDataKeyWithoutPlaintext } from './kms-records.js';
import { ec2Call } from './other-records.js';
import { plusMinutes, plusSeconds } from './time.js';

/** The grant's name in grantIdOf(key, EBS_GRANT). */
export const EBS_GRANT = 'ebs-attach';

export const ebsAttach = (
  key: ScenarioKey,
  createdAt: string,
  volumeId: string,
  instanceId: string,
  person: (at: string) => Actor,
): CloudTrailRecord[] => {
  const attachAt = plusMinutes(createdAt, 12);
  const session = person(createdAt).userIdentity as { sessionContext: { sessionIssuer: { userName: string } }; arn: string };
  const role = session.sessionContext.sessionIssuer.userName;
  const sessionName = session.arn.split('/').at(-1) ?? 'unknown';
  const viaEc2 = (at: string) => serviceOnBehalf(key.account, role, sessionName, at, 'ec2-frontend-api.amazonaws.com');
  const context = { 'aws:ebs:id': volumeId };
  return [
    ec2Call(`${key.name}/ec2-create-volume`, createdAt, person(createdAt), 'CreateVolume', volumeId, instanceId),
    generateDataKeyWithoutPlaintext(
      { key, step: 'ebs-create-volume', at: plusSeconds(createdAt, 1), actor: viaEc2(plusSeconds(createdAt, 1)) },
      { encryptionContext: context },
    ),
    ec2Call(`${key.name}/ec2-attach-volume`, attachAt, person(attachAt), 'AttachVolume', volumeId, instanceId),
    createGrant({ key, at: plusSeconds(attachAt, 1), actor: viaEc2(plusSeconds(attachAt, 1)) }, EBS_GRANT, {
      constraints: { encryptionContextSubset: context },
      retiringPrincipal: 'ec2.us-east-1.amazonaws.com',
      operations: ['Decrypt'],
      granteePrincipal: sessionArn(key.account, 'aws:ec2-infrastructure', instanceId),
    }),
    decrypt(
      { key, step: 'ebs-attach-decrypt', at: plusSeconds(attachAt, 2), actor: ec2Infrastructure(key.account, instanceId, plusSeconds(attachAt, 2)) },
      { encryptionContext: context },
    ),
  ];
};
