import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenIssuer, type ManagedIdentity, type TokenIssuer, UnknownIdentityError } from './token-issuer.js';

export interface IdentityEndpointOptions {
  host?: string;
  port?: number;
  tenantId?: string;
  /** Keyed by client id. */
  identities: Record<string, ManagedIdentity>;
  defaultClientId: string;
}

export interface RunningIdentityEndpoint {
  /** Full URL to set as `IDENTITY_ENDPOINT`. */
  endpoint: string;
  /** The `IDENTITY_HEADER` secret. */
  header: string;
  issuer: string;
  jwksUri: string;
  tenantId: string;
  issueToken(request: { resource: string; clientId?: string }): Promise<string>;
  /** Development only: where a signed-in user's access token for an API is issued (see `userTokenPath`). */
  userTokenEndpoint: string;
  close(): Promise<void>;
}

const localTenantId = '7d4c9a52-3b1e-4f0a-9c6d-0e1f2a3b4c5d';
const appServiceApiVersion = '2019-08-01';
const tokenPath = '/msi/token';
/**
 * `GET ?resource=<api>&userId=<id>&roles=a,b` with the `X-IDENTITY-HEADER` secret: a user's access token for the API,
 * what `az account get-access-token --resource <api>` returns for a signed-in moderator. Tests call the API with it.
 */
const userTokenPath = '/dev/user-token';

/**
 * The App Service managed identity endpoint as `@azure/identity` (through MSAL) calls it, plus the OIDC discovery
 * document and JWKS that token validators need.
 */
export async function startIdentityEndpoint(options: IdentityEndpointOptions): Promise<RunningIdentityEndpoint> {
  const host = options.host ?? '127.0.0.1';
  const tenantId = options.tenantId ?? localTenantId;
  const secret = randomBytes(24).toString('base64url');
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const issuer = `${origin}/${tenantId}/v2.0`;
  const jwksUri = `${origin}/${tenantId}/discovery/v2.0/keys`;
  const tokenIssuer = await createTokenIssuer({
    issuer,
    tenantId,
    identities: options.identities,
    defaultClientId: options.defaultClientId,
  });
  const routes: Record<string, (request: IncomingMessage, url: URL, response: ServerResponse) => Promise<void> | void> =
    {
      [tokenPath]: withSecret(secret, (url, response) => answerTokenRequest(tokenIssuer, url, response)),
      [userTokenPath]: withSecret(secret, (url, response) => answerUserTokenRequest(tokenIssuer, url, response)),
      [`/${tenantId}/v2.0/.well-known/openid-configuration`]: (_request, _url, response) =>
        sendJson(response, 200, {
          issuer,
          jwks_uri: jwksUri,
          token_endpoint: `${origin}${tokenPath}`,
          response_types_supported: ['token'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
          tenant_region_scope: 'local',
        }),
      [new URL(jwksUri).pathname]: (_request, _url, response) => sendJson(response, 200, tokenIssuer.jwks),
    };
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', origin);
    const route = routes[url.pathname];
    if (!route) return sendJson(response, 404, { error: 'not_found', message: `No route for ${url.pathname}.` });
    if (request.method !== 'GET') return sendJson(response, 405, { error: 'method_not_allowed', message: 'Use GET.' });
    Promise.resolve(route(request, url, response)).catch((error: unknown) => {
      sendJson(response, 500, { error: 'server_error', message: String(error) });
    });
  });

  return {
    endpoint: `${origin}${tokenPath}`,
    header: secret,
    issuer,
    jwksUri,
    tenantId,
    issueToken: async (request) => (await tokenIssuer.issue(request)).accessToken,
    userTokenEndpoint: `${origin}${userTokenPath}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A token route behind the `X-IDENTITY-HEADER` secret. */
function withSecret(secret: string, answer: (url: URL, response: ServerResponse) => Promise<void>) {
  return (request: IncomingMessage, url: URL, response: ServerResponse): Promise<void> | void => {
    // 401, never 404/410: MSAL retries those with back-off, which would hide the mistake behind a long wait.
    if (headerMatches(request.headers['x-identity-header'], secret)) return answer(url, response);
    sendJson(response, 401, { error: 'unauthorized', message: 'Missing or wrong X-IDENTITY-HEADER.' });
  };
}

async function answerTokenRequest(tokenIssuer: TokenIssuer, url: URL, response: ServerResponse): Promise<void> {
  const query = url.searchParams;
  if (query.get('api-version') !== appServiceApiVersion) {
    return sendBadRequest(response, `api-version must be ${appServiceApiVersion}.`);
  }
  const resource = query.get('resource') ?? query.get('scope');
  if (!resource) return sendBadRequest(response, 'The resource query parameter is required.');
  const unsupportedSelector = ['object_id', 'principal_id', 'mi_res_id'].find((name) => query.has(name));
  if (unsupportedSelector) {
    return sendBadRequest(response, `Selecting an identity by ${unsupportedSelector} is not supported; use client_id.`);
  }
  const clientId = query.get('client_id') ?? undefined;
  try {
    const token = await tokenIssuer.issue(clientId === undefined ? { resource } : { resource, clientId });
    sendJson(response, 200, {
      access_token: token.accessToken,
      expires_on: String(token.expiresOn),
      resource: token.resource,
      token_type: 'Bearer',
      client_id: token.clientId,
    });
  } catch (error) {
    if (error instanceof UnknownIdentityError) return sendBadRequest(response, error.message);
    throw error;
  }
}

async function answerUserTokenRequest(tokenIssuer: TokenIssuer, url: URL, response: ServerResponse): Promise<void> {
  const resource = url.searchParams.get('resource');
  const userId = url.searchParams.get('userId');
  if (!resource || !userId) return sendBadRequest(response, 'The resource and userId query parameters are required.');
  const roles = (url.searchParams.get('roles') ?? '').split(',').filter(Boolean);
  const accessToken = await tokenIssuer.issueForUser({ resource, userId, roles });
  sendJson(response, 200, { accessToken, tokenType: 'Bearer' });
}

function headerMatches(received: string | string[] | undefined, secret: string): boolean {
  if (typeof received !== 'string') return false;
  const receivedBytes = Buffer.from(received);
  const secretBytes = Buffer.from(secret);
  return receivedBytes.length === secretBytes.length && timingSafeEqual(receivedBytes, secretBytes);
}

function sendBadRequest(response: ServerResponse, message: string): void {
  sendJson(response, 400, { error: 'invalid_request', message });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
