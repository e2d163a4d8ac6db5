import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Cookie, HttpResponseInit } from '@azure/functions';
import functions from '@azure/functions';
import { normalizeHeaderValue } from './request-headers.js';

/**
 * What goes on the wire for a function's result: status, headers (`set-cookie` as a list) and body. A text body stays
 * a string: Node writes head and string body in one `write`, a byte body takes a `writev` (measured 30 vs 48 µs of
 * CPU per request on this machine).
 */
export interface WireResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string | Buffer | undefined;
}

/** Statuses that carry no body; the library drops a body given with them. */
const nullBodyStatuses = new Set([204, 205, 304]);
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const invalidHeaderValue = /[\0\r\n]/;

/**
 * Converts a handler's result the way the library does (`new HttpResponse(result)`, then headers, cookies and body
 * bytes). Plain results with string headers and a JSON, string or byte body, which is what handlers return, are
 * converted directly and synchronously; building an undici `Response` and reading it back cost more CPU than most
 * handlers. Anything else goes through the library's own classes.
 */
export function toWireResponse(
  result: HttpResponseInit | functions.HttpResponse | undefined,
): WireResponse | Promise<WireResponse> {
  return (
    (result instanceof functions.HttpResponse ? undefined : convertPlain(result ?? {})) ?? convertWithLibrary(result)
  );
}

function convertPlain(init: HttpResponseInit): WireResponse | undefined {
  const status = init.status ?? 200;
  if (!Number.isInteger(status) || status < 200 || status > 599) return undefined;
  const headers = plainHeaders(init.headers);
  if (!headers) return undefined;
  let body: string | Buffer | undefined;
  let contentType: string | undefined;
  if (nullBodyStatuses.has(status)) {
    body = undefined;
  } else if (init.jsonBody !== undefined && init.jsonBody !== null) {
    const json: unknown = JSON.stringify(init.jsonBody);
    if (typeof json !== 'string') return undefined;
    body = json;
    contentType = 'application/json';
  } else if (typeof init.body === 'string') {
    body = init.body;
    contentType = 'text/plain;charset=UTF-8';
  } else if (init.body instanceof Uint8Array) {
    body = Buffer.from(init.body.buffer, init.body.byteOffset, init.body.byteLength);
  } else if (init.body instanceof ArrayBuffer) {
    body = Buffer.from(init.body);
  } else if (init.body !== undefined && init.body !== null) {
    return undefined;
  }
  if (contentType && headers['content-type'] === undefined) headers['content-type'] = contentType;
  // The library copies a JSON response's headers from one `Headers` into another, which trims joined values again.
  if (contentType === 'application/json') {
    for (const name in headers) headers[name] = normalizeHeaderValue(headers[name] as string);
  }
  const cookies = init.cookies?.map(serializeCookie);
  return { status, headers: cookies?.length ? { ...headers, 'set-cookie': cookies } : headers, body };
}

/**
 * String-valued headers as fetch `Headers` would hold them (lower-case names, values trimmed, repeats joined), or
 * undefined for anything it would treat specially or refuse, which the library path then handles.
 */
function plainHeaders(init: HttpResponseInit['headers']): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  if (init === undefined) return headers;
  if (init === null || typeof init !== 'object' || Array.isArray(init) || init instanceof Headers) return undefined;
  for (const [name, value] of Object.entries(init)) {
    if (typeof value !== 'string' || !headerName.test(name)) return undefined;
    const key = name.toLowerCase();
    const normalized = normalizeHeaderValue(value);
    if (key === 'set-cookie' || invalidHeaderValue.test(normalized)) return undefined;
    headers[key] = headers[key] === undefined ? normalized : `${headers[key]}, ${normalized}`;
  }
  return headers;
}

async function convertWithLibrary(
  result: HttpResponseInit | functions.HttpResponse | undefined,
): Promise<WireResponse> {
  const response = result instanceof functions.HttpResponse ? result : new functions.HttpResponse(result ?? {});
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) if (name !== 'set-cookie') headers[name] = value;
  const setCookie = [...response.headers.getSetCookie(), ...response.cookies.map(serializeCookie)];
  if (setCookie.length > 0) headers['set-cookie'] = setCookie;
  return {
    status: response.status,
    headers,
    body: response.body ? Buffer.from(await response.arrayBuffer()) : undefined,
  };
}

function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure) parts.push('Secure');
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}

/** Synchronous for the plain results handlers return: no extra turn of the event loop before the write. */
export function writeFunctionResponse(
  request: IncomingMessage,
  response: ServerResponse,
  result: HttpResponseInit | functions.HttpResponse | undefined,
): void | Promise<void> {
  const converted = toWireResponse(result);
  if (converted instanceof Promise) return converted.then((wire) => writeWireResponse(request, response, wire));
  writeWireResponse(request, response, converted);
}

function writeWireResponse(request: IncomingMessage, response: ServerResponse, wire: WireResponse): void {
  const { status, headers, body } = wire;
  const sent = body !== undefined && request.method !== 'HEAD' ? body : undefined;
  // One write of head and body: separate small writes wait on Nagle and delayed ACKs (milliseconds a response).
  if (sent !== undefined) headers['content-length'] = String(Buffer.byteLength(sent));
  response.writeHead(status, headers);
  response.end(sent);
}
