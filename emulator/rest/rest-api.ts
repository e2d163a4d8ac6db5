import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RestAuthenticator } from '../auth/rest-authenticator.js';
import { WireError, wireErrors, writeWireError } from '../errors.js';
import type { FaultInjector } from '../faults.js';
import { isValidHubName } from '../hub-settings.js';
import { Hub, type HubRegistry } from '../store/hub.js';
import { checkApiVersion, supportedApiVersions } from './request.js';
import { matchRoute, type Route } from './routes.js';

export interface RestApiOptions {
  routes: Route[];
  hubs: HubRegistry;
  authenticator: RestAuthenticator;
  faults: FaultInjector;
}

const versionHeaders = { 'api-supported-versions': supportedApiVersions.join(', ') };

/** The data-plane REST face: route → authenticate → validate → operation → response. */
export class RestApi {
  constructor(private readonly options: RestApiOptions) {}

  handle(request: IncomingMessage, response: ServerResponse, scheme: 'http' | 'https'): void {
    this.dispatch(request, response, scheme).catch((error: unknown) => {
      const wireError = error instanceof WireError ? error : wireErrors.internal();
      if (!(error instanceof WireError)) console.error('emulator: REST operation failed', error);
      if (response.headersSent) response.destroy();
      // The recorded validation 400s carry no api-supported-versions; the recorded 404s do.
      else writeWireError(response, wireError, wireError.shape === 'validation' ? {} : versionHeaders);
      // Unread bodies would otherwise stall keep-alive connections.
      request.resume();
    });
  }

  private async dispatch(request: IncomingMessage, response: ServerResponse, scheme: 'http' | 'https') {
    const origin = `${scheme}://${request.headers.host ?? 'localhost'}`;
    const url = new URL(request.url ?? '/', origin);
    const method = request.method ?? 'GET';
    const fault = await this.options.faults.select(method, url.pathname);
    if (fault?.reset) {
      request.socket.destroy();
      return;
    }
    if (fault) {
      const headers: Record<string, string> = { ...versionHeaders };
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      writeWireError(response, wireErrors.injectedFault(fault.status), headers);
      request.resume();
      return;
    }
    const match = matchRoute(this.options.routes, method, url.pathname);
    if ('error' in match) {
      throw match.error === 'bad-encoding'
        ? wireErrors.badRequest('The path is not correctly percent-encoded.')
        : wireErrors.notFound(`No operation for ${method} ${url.pathname}.`);
    }
    const { route, params } = match;
    if (!route.anonymous) {
      await this.options.authenticator.authenticate(request.headers.authorization, url);
      checkApiVersion(url);
    }
    const hubName = params.hub ?? '';
    if (params.hub !== undefined && !isValidHubName(hubName)) throw wireErrors.invalidHubName(hubName);
    // Only /api/health has no hub; it gets a detached one rather than registering a hub named ''.
    const hub = params.hub === undefined ? new Hub('') : this.options.hubs.get(hubName);
    const result = await route.operation({ request, url, params, hub, origin });
    // The service's HEAD /api/health answers without api-supported-versions (it is the one anonymous route).
    const headers = route.anonymous ? {} : versionHeaders;
    if (result.body === undefined) {
      response.writeHead(result.status, headers).end();
    } else {
      const body = JSON.stringify(result.body);
      response
        .writeHead(result.status, {
          ...headers,
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
        })
        .end(body);
    }
    request.resume();
  }
}
