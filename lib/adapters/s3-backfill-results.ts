/**
 * The Distributed Map's results as ResultWriter writes them: a manifest naming the result files per status,
 * each file JSON Lines (WriterConfig OutputType JSONL). Succeeded lines are the batch outputs (Transformation
 * COMPACT); failed and pending lines are whole execution records (Error, Cause, Input). Read a line at a time.
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
 */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { BatchResult } from '../backfill/batch-result.js';
import type { BackfillResults, FailedBatch } from '../backfill/ports.js';

const Manifest = z.object({
  ResultFiles: z.object({
    SUCCEEDED: z.array(z.object({ Key: z.string() })).default([]),
    FAILED: z.array(z.object({ Key: z.string() })).default([]),
    PENDING: z.array(z.object({ Key: z.string() })).default([]),
  }),
});

const Counts = z.object({ records: z.number(), events: z.number(), recorded: z.number(), duplicates: z.number(), skipped: z.number(), rejected: z.number() });
const Sample = z.object({ object: z.string(), index: z.number().optional(), reason: z.string() });
const BatchOutput = z.object({
  runId: z.string(),
  scopes: z.record(z.string(), z.object({ recordedObjects: z.number(), alreadyRecordedObjects: z.number(), failedObjects: z.number(), counts: Counts })),
  skippedObjects: z.record(z.string(), z.number()),
  keys: z.array(z.string()),
  keysOmitted: z.number(),
  failures: z.array(Sample),
  failuresOmitted: z.number(),
  rejections: z.array(Sample),
  rejectionsOmitted: z.number(),
});

const FailedExecution = z.object({
  Error: z.string().optional(),
  Cause: z.string().optional(),
  Input: z.string().optional(),
});
const BatchInputKeys = z.object({ Items: z.array(z.object({ object: z.object({ Key: z.string() }) })) });

export class S3BackfillResults implements BackfillResults {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async *read(manifestKey: string): AsyncGenerator<{ status: 'SUCCEEDED'; output: BatchResult } | FailedBatch> {
    const manifest = Manifest.parse(JSON.parse(await this.text(manifestKey)));
    for (const { Key } of manifest.ResultFiles.SUCCEEDED) {
      for await (const line of this.lines(Key)) {
        const output = BatchOutput.safeParse(parseLine(line));
        // A line that is not a batch output is a batch we cannot account for: a failure, not a silent skip.
        yield output.success ? { status: 'SUCCEEDED', output: output.data } : unaccounted(Key, 'SUCCEEDED');
      }
    }
    for (const status of ['FAILED', 'PENDING'] as const) {
      for (const { Key } of manifest.ResultFiles[status]) {
        for await (const line of this.lines(Key)) yield failedBatch(status, parseLine(line));
      }
    }
  }

  async writeSummary(key: string, summary: unknown): Promise<string> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: `${JSON.stringify(summary, null, 2)}\n`, ContentType: 'application/json' }),
    );
    return `s3://${this.bucket}/${key}`;
  }

  private async text(key: string): Promise<string> {
    const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return Body === undefined ? '' : Body.transformToString('utf8');
  }

  private async *lines(key: string): AsyncGenerator<string> {
    const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (Body === undefined) return;
    const lines = createInterface({ input: Body as Readable, crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) if (line.trim() !== '') yield line;
  }
}

const parseLine = (line: string): unknown => {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
};

const unaccounted = (key: string, status: string): FailedBatch => ({
  status: 'FAILED',
  error: 'UnreadableResult',
  cause: `a ${status} line of ${key} is not a batch result`,
  keys: undefined,
});

const failedBatch = (status: 'FAILED' | 'PENDING', record: unknown): FailedBatch => {
  const parsed = FailedExecution.safeParse(record);
  const execution = parsed.success ? parsed.data : {};
  const input = BatchInputKeys.safeParse(execution.Input === undefined ? undefined : parseLine(execution.Input));
  return {
    status,
    error: execution.Error ?? (status === 'PENDING' ? 'NotStarted' : 'Unknown'),
    cause: execution.Cause ?? '',
    keys: input.success ? input.data.Items.map((item) => item.object.Key) : undefined,
  };
};
