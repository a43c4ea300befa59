/**
 * A Slack Incoming Webhook stand-in: a real HTTP server on 127.0.0.1 (ephemeral port) that records every
 * request with its arrival time, and can be told to answer the next K requests with 429 + Retry-After,
 * 500, or any status. Otherwise it answers 200 "ok", as Slack does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  /** Arrival time, milliseconds (performance clock). */
  readonly at: number;
  readonly path: string;
  readonly raw: string;
  readonly body: unknown;
  /** The status the server answered. */
  readonly status: number;
}

export interface Failure {
  readonly status: number;
  /** Sent as the Retry-After header (seconds). */
  readonly retryAfter?: number;
  readonly body?: string;
}

export class SlackServer {
  readonly requests: RecordedRequest[] = [];
  private readonly planned: Failure[] = [];

  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<SlackServer> {
    let instance: SlackServer | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => instance?.answer(request.url ?? '/', Buffer.concat(chunks).toString('utf8'), response));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    instance = new SlackServer(server, `http://127.0.0.1:${port}/services/T000/B000/XXXX`);
    return instance;
  }

  /** The next `times` requests get this answer instead of 200. */
  failNext(times: number, failure: Failure): void {
    for (let index = 0; index < times; index += 1) this.planned.push(failure);
  }

  /** Bodies of the requests that were accepted (200): what a channel would show. */
  get delivered(): unknown[] {
    return this.requests.filter((request) => request.status === 200).map((request) => request.body);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  private answer(path: string, raw: string, response: import('node:http').ServerResponse): void {
    const failure = this.planned.shift();
    const status = failure?.status ?? 200;
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    this.requests.push({ at: performance.now(), path, raw, body, status });
    const headers: Record<string, string> = { 'content-type': 'text/plain' };
    if (failure?.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter);
    response.writeHead(status, headers).end(failure?.body ?? (status === 200 ? 'ok' : status === 429 ? 'rate_limited' : 'error'));
  }
}
