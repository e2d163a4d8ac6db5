/**
 * Child-process entry for `bench/upstream.bench.ts`: the app's registered `webpubsub` handler served straight from
 * `node:http` with the least the local host does around it (served in the check phase, body read, headers into a
 * `Map`, the host's request, context and response conversion): no URL parsing, routing or App Service Authentication.
 * What the app's own work costs under the same load with a host that costs next to nothing. The environment carries
 * the app's settings, as the local host's does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { HostInvocationContext } from '../../local/host/invocation-context.js';
import { InvocationRequest } from '../../local/host/invocation-request.js';
import { writeFunctionResponse } from '../../local/host/invocation-response.js';
import { defaultMaxRequestBodyBytes, readRequestBody } from '../../local/host/request-body.js';
import { reportReady } from './child-process.js';

// As the local host does: `@azure/functions` registers as in the worker rather than switching to test mode.
createRequire(import.meta.url)('../../local/functions-core-shim.cjs');
const { functionDefinitions } = await import('../../functions/index.js');
const definition = functionDefinitions.find((candidate) => candidate.name === 'webpubsub');
if (!definition) throw new Error('functions/index.ts has no webpubsub function.');

const serve = async (request: IncomingMessage, response: ServerResponse) => {
  const headers = new Map<string, string>();
  for (const name in request.headers) headers.set(name, String(request.headers[name]));
  const result = await definition.options.handler(
    new InvocationRequest({
      method: request.method ?? 'POST',
      url: `http://127.0.0.1${request.url}`,
      headers,
      params: {},
      body: await readRequestBody(request, defaultMaxRequestBodyBytes),
    }),
    new HostInvocationContext({ functionName: definition.name, functionOptions: definition.options, log: () => {} }),
  );
  await writeFunctionResponse(request, response, result ?? undefined);
};
// Served in the check phase, as the local host serves requests.
const server = createServer((request, response) => setImmediate(serve, request, response));
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  reportReady({ url: `http://127.0.0.1:${port}` }, () => {
    server.closeAllConnections();
    server.close();
  });
});
