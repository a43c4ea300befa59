/**
 * Records that are not about one key: custom key stores, the CloudHSM cluster behind them, and the non-KMS
 * records every real log file holds (STS AssumeRole, S3 data events, EC2 volume calls) that replay must skip.
 */
import { apiCall, type CloudTrailRecord } from './cloudtrail-record.js';
import type { Actor } from './identities.js';
import { roleArn, sessionArn } from './identities.js';
import { ACCOUNT, CUSTOM_KEY_STORE, REGION, hex64For, upperIdFor } from './ids.js';
import { localeDate, plusMinutes } from './time.js';

interface Call {
  readonly label: string;
  readonly at: string;
  readonly actor: Actor;
}

const base = (call: Call, eventSource: string, eventName: string) => ({
  label: call.label,
  at: call.at,
  actor: call.actor,
  account: ACCOUNT,
  region: REGION,
  eventSource,
  eventName,
  readOnly: false,
});

// ---- AWS CloudHSM (cloudhsm.amazonaws.com): no resources[] ----

export const createCluster = (call: Call): CloudTrailRecord =>
  apiCall({
    ...base(call, 'cloudhsm.amazonaws.com', 'CreateCluster'),
    requestParameters: { hsmType: 'hsm2m.medium', subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'], mode: 'FIPS' },
    responseElements: {
      cluster: {
        clusterId: CUSTOM_KEY_STORE.clusterId,
        hsmType: 'hsm2m.medium',
        mode: 'FIPS',
        state: 'CREATE_IN_PROGRESS',
        subnetMapping: { 'us-east-1a': 'subnet-0a1b2c3d4e5f60718', 'us-east-1b': 'subnet-0f1e2d3c4b5a69788' },
        vpcId: 'vpc-0c1d2e3f4a5b6c7d8',
        backupPolicy: 'DEFAULT',
        backupRetentionPolicy: { type: 'DAYS', value: '90' },
        hsms: [],
      },
    },
  });

export const createHsm = (call: Call, index: 0 | 1): CloudTrailRecord => {
  const availabilityZone = index === 0 ? 'us-east-1a' : 'us-east-1b';
  return apiCall({
    ...base(call, 'cloudhsm.amazonaws.com', 'CreateHsm'),
    requestParameters: { clusterId: CUSTOM_KEY_STORE.clusterId, availabilityZone },
    responseElements: {
      hsm: {
        availabilityZone,
        clusterId: CUSTOM_KEY_STORE.clusterId,
        subnetId: index === 0 ? 'subnet-0a1b2c3d4e5f60718' : 'subnet-0f1e2d3c4b5a69788',
        eniId: `eni-0${hex64For(`eni/${index}`).slice(0, 16)}`,
        eniIp: index === 0 ? '10.20.1.17' : '10.20.2.45',
        hsmId: CUSTOM_KEY_STORE.hsmIds[index],
        state: 'CREATE_IN_PROGRESS',
      },
    },
  });
};

export const initializeCluster = (call: Call): CloudTrailRecord =>
  apiCall({
    ...base(call, 'cloudhsm.amazonaws.com', 'InitializeCluster'),
    requestParameters: { clusterId: CUSTOM_KEY_STORE.clusterId, signedCert: '-----BEGIN CERTIFICATE-----...', trustAnchor: '-----BEGIN CERTIFICATE-----...' },
    responseElements: { state: 'INITIALIZE_IN_PROGRESS', stateMessage: 'Cluster is initializing. State will change to INITIALIZED upon completion.' },
  });

export const deleteHsm = (call: Call, index: 0 | 1): CloudTrailRecord =>
  apiCall({
    ...base(call, 'cloudhsm.amazonaws.com', 'DeleteHsm'),
    requestParameters: { clusterId: CUSTOM_KEY_STORE.clusterId, hsmId: CUSTOM_KEY_STORE.hsmIds[index] },
    responseElements: { hsmId: CUSTOM_KEY_STORE.hsmIds[index] },
  });

// ---- KMS custom key store operations (requestParameters as the KMS developer guide shows them) ----

export const createCustomKeyStore = (call: Call): CloudTrailRecord =>
  apiCall({
    ...base(call, 'kms.amazonaws.com', 'CreateCustomKeyStore'),
    requestParameters: { customKeyStoreName: CUSTOM_KEY_STORE.name, clusterId: CUSTOM_KEY_STORE.clusterId },
    responseElements: { customKeyStoreId: CUSTOM_KEY_STORE.id },
  });

const storeCall = (call: Call, eventName: string): CloudTrailRecord =>
  apiCall({
    ...base(call, 'kms.amazonaws.com', eventName),
    requestParameters: { customKeyStoreId: CUSTOM_KEY_STORE.id },
    responseElements: null,
    additionalEventData: { customKeyStoreName: CUSTOM_KEY_STORE.name, clusterId: CUSTOM_KEY_STORE.clusterId },
  });

export const connectCustomKeyStore = (call: Call): CloudTrailRecord => storeCall(call, 'ConnectCustomKeyStore');
export const disconnectCustomKeyStore = (call: Call): CloudTrailRecord => storeCall(call, 'DisconnectCustomKeyStore');

// ---- Non-KMS records, to be skipped ----

/** ECS (or EC2) assumes a workload's role: the session the later KMS calls are made with. */
export const assumeRoleByService = (label: string, at: string, role: string, session: string, service: string): CloudTrailRecord =>
  apiCall({
    label,
    at,
    actor: { userIdentity: { type: 'AWSService', invokedBy: service }, sourceIPAddress: service, userAgent: service, extra: {} },
    account: ACCOUNT,
    region: REGION,
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    requestParameters: { roleArn: roleArn(ACCOUNT, role), roleSessionName: session, durationSeconds: 3600 },
    responseElements: {
      credentials: {
        accessKeyId: `ASIA${upperIdFor(`session/${ACCOUNT}/${role}/${session}/${at.slice(0, 13)}:00:00Z`, 16)}`,
        sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE-session-token-redacted-in-fixture',
        expiration: localeDate(plusMinutes(at, 60)),
      },
      assumedRoleUser: { assumedRoleId: `AROA${upperIdFor(`role/${ACCOUNT}/${role}`, 17)}:${session}`, arn: sessionArn(ACCOUNT, role, session) },
    },
    resources: [{ accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: roleArn(ACCOUNT, role) }],
    readOnly: true,
    sharedEventID: hexUuid(`shared/${label}`),
  });

const hexUuid = (label: string): string => {
  const hex = hex64For(label);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

/** An S3 data event: the GetObject whose SSE-KMS Decrypt appears as a separate KMS record. */
export const s3GetObject = (label: string, at: string, actor: Actor, bucket: string, objectKey: string): CloudTrailRecord =>
  apiCall({
    label,
    at,
    actor,
    account: ACCOUNT,
    region: REGION,
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    requestParameters: { bucketName: bucket, Host: `${bucket}.s3.us-east-1.amazonaws.com`, key: objectKey },
    responseElements: null,
    additionalEventData: {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: 0,
      SSEApplied: 'SSE_KMS',
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': hex64For(`amz-id/${label}`).slice(0, 56),
      bytesTransferredOut: 48213,
    },
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${objectKey}` },
      { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
    ],
    readOnly: true,
    eventCategory: 'Data',
  });

/** EC2 CreateVolume / AttachVolume: the API calls behind the EBS KMS records. */
export const ec2Call = (label: string, at: string, actor: Actor, eventName: 'CreateVolume' | 'AttachVolume', volumeId: string, instanceId: string): CloudTrailRecord =>
  apiCall({
    label,
    at,
    actor,
    account: ACCOUNT,
    region: REGION,
    eventSource: 'ec2.amazonaws.com',
    eventName,
    requestParameters:
      eventName === 'CreateVolume'
        ? { size: '100', zone: 'us-east-1a', volumeType: 'gp3', encrypted: true }
        : { volumeId, instanceId, device: '/dev/sdf', deleteOnTermination: false },
    responseElements:
      eventName === 'CreateVolume'
        ? { volumeId, size: '100', zone: 'us-east-1a', status: 'creating', volumeType: 'gp3', encrypted: true }
        : { volumeId, instanceId, device: '/dev/sdf', status: 'attaching', deleteOnTermination: false },
    readOnly: false,
  });
