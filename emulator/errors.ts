import type { ServerResponse } from 'node:http';

/** An error the emulator answers on the wire, in the service's `{code, message, target, details, inner}` shape. */
export class WireError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
  ) {
    super(message);
    this.name = 'WireError';
  }

  /** The service answers authentication failures with an empty body. */
  get hasBody(): boolean {
    return this.status !== 401;
  }

  toJSON() {
    return { code: this.code, message: this.message, target: this.target ?? null, details: [], inner: null };
  }
}

/** Every wire error the emulator produces, in one place. */
export const wireErrors = {
  badRequest: (message: string, target?: string) => new WireError(400, 'BadRequest', message, target),
  invalidApiVersion: (version: string | null) =>
    new WireError(400, 'InvalidApiVersion', `The api-version '${version ?? ''}' is not supported.`, 'api-version'),
  invalidHubName: (hub: string) =>
    new WireError(
      400,
      'InvalidHubName',
      `Hub '${hub}' is invalid: it must start with a letter and contain only letters, digits and _\`,.[] (at most 128 characters).`,
      'hub',
    ),
  unauthorized: () => new WireError(401, 'Unauthorized', 'Unauthorized'),
  forbidden: (message: string) => new WireError(403, 'Forbidden', message),
  notFound: (message: string, target?: string) => new WireError(404, 'NotFound', message, target),
  connectionNotFound: (connectionId: string) =>
    new WireError(404, 'NotFound', `Connection id '${connectionId}' doesn't exist.`, 'connectionId'),
  payloadTooLarge: (limit: number) => new WireError(413, 'PayloadTooLarge', `The request body exceeds ${limit} bytes.`),
  unsupportedMediaType: (contentType: string | undefined) =>
    new WireError(
      415,
      'UnsupportedMediaType',
      `Content type '${contentType ?? ''}' is not supported; use text/plain, application/json or application/octet-stream.`,
      'Content-Type',
    ),
  injectedFault: (status: number) =>
    new WireError(status, 'InjectedFault', `Fault injected by the emulator (${status}).`),
  internal: () => new WireError(500, 'InternalServerError', 'Internal server error.'),
};

/** A refused WebSocket handshake: an HTTP status and a plain-text reason, the way the service refuses one. */
export class HandshakeRejectedError extends Error {
  constructor(
    readonly status: number,
    readonly body = '',
  ) {
    super(`Handshake rejected with ${status}${body ? `: ${body}` : ''}`);
    this.name = 'HandshakeRejectedError';
  }
}

/** Every handshake refusal of the client endpoint. */
export const handshakeErrors = {
  notFound: () => new HandshakeRejectedError(404),
  invalidHubName: () => new HandshakeRejectedError(400, 'Invalid hub name.'),
  unauthorized: () => new HandshakeRejectedError(401),
  /** The connect event handler refused: its status (4xx/5xx) and body pass through. */
  rejectedUpstream: (status: number, body: string) => new HandshakeRejectedError(status >= 400 ? status : 500, body),
  upstreamUnavailable: () => new HandshakeRejectedError(500, 'The connect event handler is unavailable.'),
  invalidUpstreamReply: () => new HandshakeRejectedError(500, 'The connect event handler returned invalid JSON.'),
  internal: () => new HandshakeRejectedError(500, 'Internal error.'),
};

export function writeWireError(res: ServerResponse, error: WireError, headers: Record<string, string> = {}): void {
  if (!error.hasBody) {
    res.writeHead(error.status, headers).end();
    return;
  }
  const body = JSON.stringify(error.toJSON());
  res
    .writeHead(error.status, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'x-ms-error-code': error.code,
    })
    .end(body);
}

/** WebSocket close codes the emulator uses. */
export const closeCodes = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
} as const;
