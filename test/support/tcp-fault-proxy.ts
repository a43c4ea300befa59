/**
 * A TCP proxy on 127.0.0.1 (ephemeral port) in front of a real endpoint (DynamoDB Local), so a test can make the
 * store disappear mid-batch and come back: `cut()` drops every open connection and refuses new ones until
 * `restore()`; `cutAfterRequests(n)` lets n more HTTP requests through, then cuts. Nothing is mocked: the SDK
 * sees real resets and refusals, and applies its real retries.
 */
import { createServer, type Server, type Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';

export class TcpFaultProxy {
  private readonly sockets = new Set<Socket>();
  private down = false;
  private requestsLeft = Number.POSITIVE_INFINITY;
  /** HTTP requests that reached the target (counted by their request line). */
  requests = 0;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(target: string): Promise<TcpFaultProxy> {
    const { hostname, port } = new URL(target);
    let proxy: TcpFaultProxy | undefined;
    const server = createServer((client) => proxy?.accept(client, hostname, Number(port)));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy = new TcpFaultProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  /** Drops every connection now and refuses new ones. */
  cut(): void {
    this.down = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Lets `requests` more HTTP requests through, then cuts (mid-batch, at a request boundary). */
  cutAfterRequests(requests: number): void {
    this.requestsLeft = requests;
  }

  restore(): void {
    this.down = false;
    this.requestsLeft = Number.POSITIVE_INFINITY;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, host: string, port: number): void {
    if (this.down) {
      client.destroy();
      return;
    }
    const upstream = connect(port, host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk: Buffer) => {
      const starts = countRequestLines(chunk);
      if (this.down || (starts > 0 && this.requestsLeft < starts)) {
        // Only this connection's new request is refused: requests already forwarded get their answers, so a
        // write the store applied is never reported as failed.
        this.down = true;
        drop();
        return;
      }
      this.requestsLeft -= starts;
      this.requests += starts;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
  }
}

/** The SDK writes each request's head in one chunk that begins with its request line. */
const countRequestLines = (chunk: Buffer): number => {
  const text = chunk.toString('latin1');
  let count = 0;
  for (let index = text.indexOf('POST / HTTP/1.1'); index >= 0; index = text.indexOf('POST / HTTP/1.1', index + 1)) count += 1;
  return count;
};
