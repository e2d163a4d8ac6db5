import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import type { Cookie, EffectiveFunctionOptions, HttpFunctionOptions, HttpResponseInit } from '@azure/functions';
import functions from '@azure/functions';
import { createEasyAuth, principalHeaderPrefix } from './easy-auth.js';
import { type HostResponse, jsonResponse } from './host-response.js';
import { defaultMaxRequestBodyBytes, RequestBodyTooLargeError, readRequestBody } from './request-body.js';
import { compileRoutes, type FunctionDefinition, matchRoute } from './routes.js';
import { readStaticFile } from './static-files.js';

export interface FunctionsHostOptions {
  host?: string;
  port?: number;
  definitions: readonly FunctionDefinition[];
  /** Static files; relative paths resolve against the repository root. Default `web/public`. */
  webRoot?: string;
  /** `extensions.http.routePrefix` of host.json. Default `api`. */
  routePrefix?: string;
  /** Receives host and function log lines. Default: stdout. */
  log?: (line: string) => void;
  /** Larger request bodies are answered 413 (`FUNCTIONS_REQUEST_BODY_SIZE_LIMIT`). Default: the host's 100 MiB. */
  maxRequestBodyBytes?: number;
}

export interface RunningFunctionsHost {
  url: string;
  close(): Promise<void>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * Serves HTTP-triggered function definitions the way `func start` does (routing, request and response conversion,
 * 404/405/500), behind an emulation of App Service Authentication, plus the static web pages.
 * Auth levels are not enforced, as with `func start`, which also skips function keys locally.
 */
export async function startFunctionsHost(options: FunctionsHostOptions): Promise<RunningFunctionsHost> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const routes = compileRoutes(options.definitions);
  const prefixSegments = splitPath(options.routePrefix ?? 'api');
  const webRoot = resolve(repoRoot, options.webRoot ?? 'web/public');
  const encryptionKey = process.env.WEBSITE_AUTH_ENCRYPTION_KEY;
  const easyAuth = createEasyAuth(encryptionKey ? { secret: Buffer.from(encryptionKey, 'hex') } : {});
  const maxRequestBodyBytes = options.maxRequestBodyBytes ?? defaultMaxRequestBodyBytes;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? host}`);
    const authResponse = easyAuth.handle(url, request.headers.cookie);
    if (authResponse) return writeHostResponse(request, response, authResponse);

    const pathSegments = splitPath(url.pathname).map(safeDecode);
    const underPrefix = prefixSegments.every(
      (segment, index) => pathSegments[index]?.toLowerCase() === segment.toLowerCase(),
    );
    if (underPrefix) {
      const match = matchRoute(routes, request.method ?? 'GET', pathSegments.slice(prefixSegments.length));
      if (match.kind === 'matched') return invokeFunction(match.definition, match.params, url, request, response);
      if (match.kind === 'methodNotAllowed') {
        const allowed = match.allowed.join(', ');
        const refusal = jsonResponse(405, { code: 'MethodNotAllowed', message: `Use ${allowed}.` }, { allow: allowed });
        return writeHostResponse(request, response, refusal);
      }
    }
    if (request.method === 'GET' || request.method === 'HEAD') {
      const file = await readStaticFile(webRoot, url.pathname);
      if (file) return writeHostResponse(request, response, file);
    }
    const notFound = jsonResponse(404, { code: 'NotFound', message: `No function or file at ${url.pathname}.` });
    writeHostResponse(request, response, notFound);
  };

  /**
   * One invocation as the Node worker makes it: the library's own `HttpRequest` (method, URL with its query, the
   * headers the host forwards, route parameters, the body) and `InvocationContext` (a new invocation id, the
   * function's options, its log), then the library's `HttpResponse` for whatever the handler returned.
   */
  const invokeFunction = async (
    definition: FunctionDefinition,
    params: Record<string, string>,
    url: URL,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> => {
    const functionName = definition.name;
    const invocationId = randomUUID();
    const context = new functions.InvocationContext({
      invocationId,
      functionName,
      options: effectiveOptions(definition.options),
      logHandler: (level, ...args) =>
        log(`[${new Date().toISOString()}] [${functionName}] ${level}: ${format(...args)}`),
    });
    let result: HttpResponseInit | functions.HttpResponse | undefined;
    try {
      const method = request.method ?? 'GET';
      const body = await readRequestBody(request, maxRequestBodyBytes);
      const httpRequest = new functions.HttpRequest({
        method,
        url: url.href,
        headers: { ...forwardedHeaders(request), ...easyAuth.principalHeaders(request.headers.cookie) },
        params,
        // The worker gives GET and HEAD requests no body, and the library would drop one with a warning.
        ...(body.length > 0 && method !== 'GET' && method !== 'HEAD' ? { body: { bytes: body } } : {}),
      });
      result = (await definition.options.handler(httpRequest, context)) ?? undefined;
      await writeHttpResponse(request, response, result);
    } catch (error) {
      if (error instanceof RequestBodyTooLargeError) return refuseLargeBody(request, response, error);
      log(
        `[${new Date().toISOString()}] [${functionName}] error: Executed '${functionName}' (Failed, Id=${invocationId}): ${formatError(error)}`,
      );
      if (response.headersSent) response.destroy();
      else writeHostResponse(request, response, internalServerError());
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log(`[${new Date().toISOString()}] host error: ${formatError(error)}`);
      if (response.headersSent) response.destroy();
      else writeHostResponse(request, response, internalServerError());
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolveClose, reject) => {
        server.close((error) => (error ? reject(error) : resolveClose()));
        server.closeAllConnections();
      }),
  };
}

/** What `app.http` makes of a function's options: its HTTP trigger and `$return` output binding. */
function effectiveOptions(options: HttpFunctionOptions): Partial<EffectiveFunctionOptions> {
  const { authLevel, methods, route } = options;
  return {
    trigger: options.trigger ?? functions.trigger.http({ authLevel, methods, route }),
    return: options.return ?? functions.output.http({}),
    extraInputs: options.extraInputs ?? [],
    extraOutputs: options.extraOutputs ?? [],
  };
}

/**
 * The handler's result through the library's `HttpResponse` (status, headers, cookies, body as the worker reads them),
 * written with the cookies as `Set-Cookie` headers, as the host writes the cookies the worker returns.
 */
async function writeHttpResponse(
  request: IncomingMessage,
  response: ServerResponse,
  result: HttpResponseInit | functions.HttpResponse | undefined,
): Promise<void> {
  const answer = result instanceof functions.HttpResponse ? result : new functions.HttpResponse(result ?? {});
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of answer.headers) if (name !== 'set-cookie') headers[name] = value;
  const setCookie = [...answer.headers.getSetCookie(), ...answer.cookies.map(serializeCookie)];
  if (setCookie.length > 0) headers['set-cookie'] = setCookie;
  const body = answer.body ? Buffer.from(await answer.arrayBuffer()) : undefined;
  if (body !== undefined) headers['content-length'] = String(body.length);
  response.writeHead(answer.status, headers);
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** A cookie as a `Set-Cookie` value, attributes in the order ASP.NET Core's `SetCookieHeaderValue` writes them. */
function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.expires !== undefined) parts.push(`expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`max-age=${cookie.maxAge}`);
  if (cookie.domain) parts.push(`domain=${cookie.domain}`);
  if (cookie.path) parts.push(`path=${cookie.path}`);
  if (cookie.secure) parts.push('secure');
  if (cookie.sameSite) parts.push(`samesite=${cookie.sameSite.toLowerCase()}`);
  if (cookie.httpOnly) parts.push('httponly');
  return parts.join('; ');
}

/**
 * Inbound headers as the platform forwards them: client-supplied principal headers dropped (App Service
 * Authentication strips them and adds its own), a repeated header joined with ", " (the host hands the worker one
 * value per name; `set-cookie` and `cookie` as Node's `IncomingMessage.headers` join them).
 */
function forwardedHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name.startsWith(principalHeaderPrefix)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** 413, as Kestrel answers, and the connection closed so the rest of the upload is never read. */
function refuseLargeBody(request: IncomingMessage, response: ServerResponse, error: RequestBodyTooLargeError): void {
  const refusal = jsonResponse(413, { code: 'PayloadTooLarge', message: error.message }, { connection: 'close' });
  response.writeHead(refusal.status, { ...refusal.headers, 'content-length': Buffer.byteLength(refusal.body ?? '') });
  response.end(refusal.body, () => request.destroy());
}

/** What the caller sees of any failure: nothing about its cause, which goes to the log. */
function internalServerError(): HostResponse {
  return jsonResponse(500, { code: 'InternalServerError', message: 'An internal server error occurred.' });
}

function writeHostResponse(request: IncomingMessage, response: ServerResponse, hostResponse: HostResponse): void {
  response.writeHead(hostResponse.status, hostResponse.headers);
  response.end(request.method === 'HEAD' ? undefined : hostResponse.body);
}

function splitPath(path: string): string[] {
  return path.split('/').filter(Boolean);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function formatError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
