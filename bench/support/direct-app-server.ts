/**
 * Child-process entry for `bench/upstream.bench.ts`: the app's registered `webpubsub` handler served straight from
 * `node:http` with the least conversion it needs (body read, headers into a `Map`, the local host's request and
 * context objects, the JSON reply written as is): no routing, no App Service Authentication, no response conversion.
 * What the app's own work costs under the same load with a host that costs next to nothing. The environment carries
 * the app's settings, as the local host's does.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { HttpResponseInit } from '@azure/functions';
import { HostInvocationContext } from '../../local/host/invocation-context.js';
import { InvocationRequest } from '../../local/host/invocation-request.js';
import { reportReady } from './child-process.js';

// As the local host does: `@azure/functions` registers as in the worker rather than switching to test mode.
createRequire(import.meta.url)('../../local/functions-core-shim.cjs');
const { functionDefinitions } = await import('../../functions/index.js');
const definition = functionDefinitions.find((candidate) => candidate.name === 'webpubsub');
if (!definition) throw new Error('functions/index.ts has no webpubsub function.');

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.once('end', async () => {
    const headers = new Map<string, string>();
    for (const name in request.headers) headers.set(name, String(request.headers[name]));
    const result = (await definition.options.handler(
      new InvocationRequest({
        method: request.method ?? 'POST',
        url: `http://127.0.0.1${request.url}`,
        headers,
        params: {},
        body: Buffer.concat(chunks),
      }),
      new HostInvocationContext({
        invocationId: randomUUID(),
        functionName: definition.name,
        functionOptions: definition.options,
        log: () => {},
      }),
    )) as HttpResponseInit;
    const body = JSON.stringify(result.jsonBody);
    response.writeHead(result.status ?? 200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...(result.headers as Record<string, string> | undefined),
    });
    response.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  reportReady({ url: `http://127.0.0.1:${port}` }, () => {
    server.closeAllConnections();
    server.close();
  });
});
