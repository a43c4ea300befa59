/**
 * A synthetic organization-wide stream of CloudTrail KMS events, deterministic from a seed, shaped as the usage
 * tracker receives it: EventBridge events as SQS message bodies, in production-size batches. Keys are
 * Zipf-distributed (a few hot keys take most of the traffic), callers are the real mix (applications through
 * assumed roles, EBS through aws:ec2-infrastructure, S3 SSE-KMS, Lambda environment decryption), a few calls fail,
 * ~1% of messages are redeliveries (same eventID) and arrival is shuffled within a bounded window.
 */
import type { SQSRecord } from 'aws-lambda';
import { eventBridgeEnvelope } from '../domain/deletion/kms-events.js';

export interface StreamOptions {
  readonly events: number;
  readonly keys: number;
  readonly seed: number;
  /** Org-wide event rate that spaces eventTimes; with Zipf s≈1.1 the hottest key gets ~1/8 of it. */
  readonly eventsPerSecond?: number;
  readonly batchSize?: number;
  /** Share of messages that are a redelivery of an earlier one. */
  readonly duplicateRate?: number;
  /** Out-of-order arrival: each message is drawn at random from a window of this many. */
  readonly shuffleWindow?: number;
  readonly zipfExponent?: number;
  /** First eventTime; the stream stays inside one UTC day unless it is very long. */
  readonly start?: string;
}

/** mulberry32: small, fast, good enough to make the stream reproducible. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

const hex = (random: () => number, length: number): string => {
  let text = '';
  for (let index = 0; index < length; index += 1) text += Math.floor(random() * 16).toString(16);
  return text;
};

const uuid = (random: () => number): string =>
  `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-${'89ab'[Math.floor(random() * 4)]}${hex(random, 3)}-${hex(random, 12)}`;

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];

interface SyntheticKey {
  readonly arn: string;
  readonly account: string;
  readonly region: string;
}

/** Cumulative Zipf weights over ranks 1..n; a draw is a binary search. */
const zipfSampler = (count: number, exponent: number, random: () => number): (() => number) => {
  const cumulative = new Float64Array(count);
  let total = 0;
  for (let rank = 0; rank < count; rank += 1) {
    total += 1 / (rank + 1) ** exponent;
    cumulative[rank] = total;
  }
  return () => {
    const target = random() * total;
    let low = 0;
    let high = count - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] ?? 0) < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
};

const assumedRole = (account: string, role: string, session: string, extra: Record<string, unknown> = {}) => ({
  type: 'AssumedRole',
  principalId: `AROA${account}:${session}`,
  arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
  accountId: account,
  accessKeyId: 'ASIAEXAMPLEBENCH0000',
  sessionContext: {
    sessionIssuer: { type: 'Role', principalId: `AROA${account}`, arn: `arn:aws:iam::${account}:role/${role}`, accountId: account, userName: role },
    attributes: { creationDate: '2026-11-28T09:00:00Z', mfaAuthenticated: 'false' },
  },
  ...extra,
});

type Shape = (key: SyntheticKey, random: () => number) => { eventName: string; userIdentity: unknown; requestParameters: unknown; sourceIPAddress: string; userAgent: string };

/** The caller mix, by weight: who calls KMS in a typical organization. */
const SHAPES: readonly { readonly weight: number; readonly shape: Shape }[] = [
  {
    weight: 45,
    shape: (key, random) => ({
      eventName: ['Decrypt', 'Encrypt', 'GenerateDataKey'][Math.floor(random() * 3)] ?? 'Decrypt',
      userIdentity: assumedRole(key.account, `app-${Math.floor(random() * 20)}`, `i-${hex(random, 17)}`),
      requestParameters: { keyId: key.arn, encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: { tenant: `t-${Math.floor(random() * 500)}` } },
      sourceIPAddress: `10.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}`,
      userAgent: 'aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js md/nodejs#22.12.0 api/kms#3.700.0',
    }),
  },
  {
    weight: 20,
    shape: (key, random) => ({
      eventName: random() < 0.7 ? 'Decrypt' : 'GenerateDataKeyWithoutPlaintext',
      userIdentity: assumedRole(key.account, 'aws:ec2-infrastructure', `i-${hex(random, 17)}`, { invokedBy: 'AWS Internal' }),
      requestParameters: { keyId: key.arn, encryptionContext: { 'aws:ebs:id': `vol-${hex(random, 17)}` }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
      sourceIPAddress: 'AWS Internal',
      userAgent: 'AWS Internal',
    }),
  },
  {
    weight: 22,
    shape: (key, random) => ({
      eventName: random() < 0.6 ? 'GenerateDataKey' : 'Decrypt',
      userIdentity: assumedRole(key.account, `s3-writer-${Math.floor(random() * 8)}`, `session-${hex(random, 8)}`, { invokedBy: 's3.amazonaws.com' }),
      requestParameters: { keyId: key.arn, keySpec: 'AES_256', encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::bucket-${key.account}-${Math.floor(random() * 5)}/obj/${hex(random, 12)}` } },
      sourceIPAddress: 's3.amazonaws.com',
      userAgent: 's3.amazonaws.com',
    }),
  },
  {
    weight: 10,
    shape: (key, random) => {
      const fn = `fn-${Math.floor(random() * 30)}`;
      return {
        eventName: 'Decrypt',
        userIdentity: assumedRole(key.account, `${fn}-role`, fn),
        requestParameters: { encryptionContext: { 'aws:lambda:FunctionArn': `arn:aws:lambda:${key.region}:${key.account}:function:${fn}` }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
        sourceIPAddress: `3.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}`,
        userAgent: 'aws-internal/3 aws-sdk-java/1.12.0',
      };
    },
  },
  {
    weight: 3,
    shape: (key, random) => ({
      eventName: 'DescribeKey',
      userIdentity: assumedRole(key.account, 'terraform', `session-${hex(random, 8)}`),
      requestParameters: { keyId: key.arn },
      sourceIPAddress: '198.51.100.7',
      userAgent: 'APN/1.0 HashiCorp/1.0 Terraform/1.9.0',
    }),
  },
];
const SHAPE_TOTAL = SHAPES.reduce((sum, { weight }) => sum + weight, 0);

const FAILURES = [
  { errorCode: 'AccessDenied', errorMessage: 'User is not authorized to perform: kms:Decrypt' },
  { errorCode: 'InvalidCiphertextException', errorMessage: '' },
  { errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' },
];

/** Builds the keys and a function producing the i-th distinct CloudTrail record. */
export const syntheticRecords = (options: StreamOptions) => {
  const random = seededRandom(options.seed);
  const accounts = Array.from({ length: Math.max(1, Math.ceil(options.keys / 40)) }, (_, index) => String(100_000_000_000 + index * 7919));
  const keys: SyntheticKey[] = Array.from({ length: options.keys }, (_, index) => {
    const account = accounts[index % accounts.length] ?? '111122223333';
    const region = REGIONS[index % REGIONS.length] ?? 'us-east-1';
    return { arn: `arn:aws:kms:${region}:${account}:key/${uuid(random)}`, account, region };
  });
  const pickKey = zipfSampler(keys.length, options.zipfExponent ?? 1.1, random);
  const start = Date.parse(options.start ?? '2026-11-28T09:00:00.000Z');
  const spacingMs = 1000 / (options.eventsPerSecond ?? 10_000);
  return {
    keys,
    record: (index: number): Record<string, unknown> => {
      const key = keys[pickKey()] ?? keys[0];
      if (key === undefined) throw new Error('no keys');
      let draw = random() * SHAPE_TOTAL;
      const shape = SHAPES.find(({ weight }) => (draw -= weight) < 0)?.shape ?? SHAPES[0]?.shape;
      if (shape === undefined) throw new Error('no shapes');
      const call = shape(key, random);
      const failure = random() < 0.005 ? FAILURES[Math.floor(random() * FAILURES.length)] : undefined;
      return {
        eventVersion: '1.11',
        userIdentity: call.userIdentity,
        eventTime: new Date(start + index * spacingMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        eventSource: 'kms.amazonaws.com',
        eventName: call.eventName,
        awsRegion: key.region,
        sourceIPAddress: call.sourceIPAddress,
        userAgent: call.userAgent,
        ...(failure ?? {}),
        requestParameters: call.requestParameters,
        responseElements: null,
        requestID: uuid(random),
        eventID: uuid(random),
        readOnly: true,
        resources: [{ accountId: key.account, type: 'AWS::KMS::Key', ARN: key.arn }],
        eventType: 'AwsApiCall',
        managementEvent: true,
        recipientAccountId: key.account,
        eventCategory: 'Management',
      };
    },
  };
};

const sqsMessage = (record: Record<string, unknown>, delivery: number, region: string): SQSRecord => {
  const event = eventBridgeEnvelope(record);
  return {
    messageId: `msg-${delivery}-${String(record.eventID)}`,
    receiptHandle: `rh-${delivery}`,
    body: JSON.stringify(event),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.parse(String(record.eventTime))),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(Date.parse(String(record.eventTime)) + 5),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${region}:111122223333:kms-guard-usage`,
    awsRegion: region,
  };
};

/**
 * The stream as SQS batches, generated lazily so that the benchmark's own memory stays small: `events` messages
 * in all, redeliveries included. The same options always give the same batches.
 */
export function* sqsBatches(options: StreamOptions): Generator<{ Records: SQSRecord[] }> {
  const batchSize = options.batchSize ?? 1000;
  const duplicateRate = options.duplicateRate ?? 0.01;
  const window = Math.max(1, options.shuffleWindow ?? 256);
  const { record } = syntheticRecords(options);
  const random = seededRandom(options.seed ^ 0x5bd1e995);
  const recent: Record<string, unknown>[] = [];
  const pending: SQSRecord[] = [];
  let batch: SQSRecord[] = [];
  let next = 0;
  for (let delivery = 0; delivery < options.events; delivery += 1) {
    let chosen: Record<string, unknown>;
    if (recent.length > 0 && random() < duplicateRate) {
      chosen = recent[Math.floor(random() * recent.length)] ?? record(next++);
    } else {
      chosen = record(next++);
      recent.push(chosen);
      if (recent.length > 2000) recent.shift();
    }
    pending.push(sqsMessage(chosen, delivery, 'us-east-1'));
    if (pending.length < window && delivery < options.events - 1) continue;
    // Bounded shuffle: emit one message drawn from the window (then the rest at the end).
    while (pending.length >= window || (delivery === options.events - 1 && pending.length > 0)) {
      const [message] = pending.splice(Math.floor(random() * pending.length), 1);
      if (message !== undefined) batch.push(message);
      if (batch.length === batchSize) {
        yield { Records: batch };
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield { Records: batch };
}
