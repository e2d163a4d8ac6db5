import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LogLine } from './processes.js';

export interface FrontEndOptions {
  port?: number;
  /** The instances' base URLs (`http://127.0.0.1:<port>`), read on every request: instances come and go. */
  instances: () => readonly string[];
  log?: LogLine;
}

export interface RunningFrontEnd {
  url: string;
  /** Requests each instance answered (or dropped), by its URL: how the load was spread. */
  readonly forwarded: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

/**
 * The platform's front end for a scaled-out Function App, reduced to what the app can tell: one URL, behind which
 * requests are spread over the instances in turn. An instance that refuses connections (stopped, restarting) is
 * passed over, as the platform takes an unhealthy instance out of rotation; a request an instance drops after
 * taking it (the process killed mid-call) is dropped in turn, so the caller (Web PubSub, a browser) sees the
 * connection reset, not an answer the platform would never invent.
 */
export async function startFrontEnd(options: FrontEndOptions): Promise<RunningFrontEnd> {
  const log = options.log ?? (() => {});
  let turn = 0;
  const forwarded = new Map<string, number>();

  const forward = (incoming: IncomingMessage, outgoing: ServerResponse, body: Buffer, tried: number): void => {
    const instances = options.instances();
    const target = instances[turn++ % instances.length];
    if (target === undefined || tried >= instances.length) {
      outgoing.writeHead(503, { 'content-type': 'text/plain' }).end('No instance of the app is running.');
      return;
    }
    const proxied = request(`${target}${incoming.url ?? '/'}`, {
      method: incoming.method,
      headers: incoming.headers,
    });
    proxied.on('response', (answer) => {
      forwarded.set(target, (forwarded.get(target) ?? 0) + 1);
      outgoing.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(outgoing);
      answer.on('error', () => outgoing.destroy());
    });
    proxied.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' && !outgoing.headersSent) {
        forward(incoming, outgoing, body, tried + 1);
        return;
      }
      forwarded.set(target, (forwarded.get(target) ?? 0) + 1);
      log(`[front-end] ${incoming.method} ${incoming.url} on ${target} failed: ${error.code ?? error.message}`);
      outgoing.destroy();
    });
    proxied.end(body);
  };

  const server = createServer((incoming, outgoing) => {
    // Read whole, so that a request an instance refused can go to the next one (the host caps bodies anyway).
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => forward(incoming, outgoing, Buffer.concat(chunks), 0));
    incoming.on('error', () => outgoing.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
