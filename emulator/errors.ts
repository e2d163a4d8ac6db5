import { type ServerResponse, STATUS_CODES } from 'node:http';

/**
 * How the service shapes an error body, as its responses recorded by the official SDKs' tests show
 * (Azure/azure-sdk-assets js/sdk/web-pubsub/web-pubsub/recordings and python/sdk/webpubsub/.../recordings):
 * - `validation`: a 400 from request validation, ASP.NET's validation problem details in
 *   `application/problem+json` (group_client_working_with_a_group/recording_can_broadcast_to_group_with_filter.json);
 * - `detail`: the OpenAPI `ErrorDetail` in `application/json` (…test_add_connection_to_group_not_found.json);
 * - `empty`: no body at all.
 */
export type WireErrorShape = 'validation' | 'detail' | 'empty';

/** An error the emulator answers on the wire: status, `x-ms-error-code`, and a body in one of the service's shapes. */
export class WireError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
    readonly shape: WireErrorShape = 'detail',
  ) {
    super(message);
    this.name = 'WireError';
  }

  toJSON() {
    if (this.shape === 'validation') {
      return {
        code: this.code,
        message: this.message,
        target: this.target ?? null,
        errors: this.target === undefined ? {} : { [this.target]: [this.message] },
        type: null,
        title: 'One or more validation errors occurred.',
        status: this.status,
        detail: null,
        instance: null,
        extensions: {},
      };
    }
    return { code: this.code, message: this.message, target: this.target ?? null, details: null, inner: null };
  }
}

/** A 400 as the service's request validation answers it; the service's code for every such 400 is Error.BadRequest. */
const badRequest = (message: string, target?: string) =>
  new WireError(400, 'Error.BadRequest', message, target, 'validation');

/**
 * Every wire error the emulator produces, in one place. Codes and messages the recordings show are the service's;
 * the others follow the service's `Error.<Name>` naming and are approximations (emulator/README.md lists them).
 */
export const wireErrors = {
  badRequest,
  /** Recorded: `clientType=socketio` refused with "The value 'socketio' is not valid." (target clientType). */
  invalidValue: (value: string, parameter: string) => badRequest(`The value '${value}' is not valid.`, parameter),
  /** Recorded wording: "Invalid syntax for '<filter>': Syntax error at position N in '<filter>'. (Parameter 'filter')". */
  invalidFilter: (filter: string, position: number) =>
    badRequest(
      `Invalid syntax for '${filter}': Syntax error at position ${position} in '${filter}'. (Parameter 'filter')`,
      'filter',
    ),
  invalidApiVersion: (version: string | null) =>
    badRequest(`The api-version '${version ?? ''}' is not supported.`, 'api-version'),
  invalidHubName: (hub: string) =>
    badRequest(
      `Hub '${hub}' is invalid: it must start with a letter and contain only letters, digits and _\`,.[] (at most 128 characters).`,
      'hub',
    ),
  /** Not recorded: the emulator answers authentication failures with an empty body. */
  unauthorized: () => new WireError(401, 'Error.Unauthorized', '', undefined, 'empty'),
  forbidden: (message: string) => new WireError(403, 'Error.Forbidden', message),
  notFound: (message: string, target?: string) => new WireError(404, 'Error.NotFound', message, target),
  /** Recorded for PUT …/groups/{group}/connections/{connectionId} with an unknown connection. */
  connectionNotFound: (connectionId: string) =>
    new WireError(404, 'Error.Connection.NotExisted', connectionNotFoundMessage(connectionId), 'Connection'),
  /** Recorded for PUT and HEAD …/permissions/{permission}/connections/{connectionId} with an unknown connection. */
  permissionConnectionNotFound: (connectionId: string) =>
    new WireError(404, 'Info.Connection.NotExisted', connectionNotFoundMessage(connectionId), 'Connection'),
  /** Recorded for HEAD …/connections/{connectionId} (the body is the approximation: HEAD shows none). */
  connectionNotExisting: (connectionId: string) =>
    new WireError(404, 'Warning.Connection.NotExisted', connectionNotFoundMessage(connectionId), 'Connection'),
  /** Recorded for PUT …/users/{userId}/groups/{group} and HEAD …/users/{userId}. */
  userNotFound: (userId: string) =>
    new WireError(404, 'Warning.User.NotExisted', `User \`${userId}\` is not found.`, 'User'),
  /** Recorded code for HEAD …/groups/{group}; the message is an approximation in the style of the others. */
  groupNotFound: (group: string) =>
    new WireError(404, 'Warning.Group.NotExisted', `Group \`${group}\` is not found.`, 'Group'),
  payloadTooLarge: (limit: number) =>
    new WireError(413, 'Error.PayloadTooLarge', `The request body exceeds ${limit} bytes.`),
  unsupportedMediaType: (contentType: string | undefined) =>
    new WireError(
      415,
      'Error.UnsupportedMediaType',
      `Content type '${contentType ?? ''}' is not supported; use text/plain, application/json or application/octet-stream.`,
      'Content-Type',
    ),
  injectedFault: (status: number) =>
    new WireError(
      status,
      faultCodes.get(status) ?? 'Error.Unknown',
      `${STATUS_CODES[status] ?? 'Error'} (${status}), injected by the emulator's fault mode.`,
    ),
  internal: () => new WireError(500, 'Error.InternalServerError', 'Internal server error.'),
};

function connectionNotFoundMessage(connectionId: string): string {
  return `Connection \`${connectionId}\` is not found.`;
}

const faultCodes: ReadonlyMap<number, string> = new Map([
  [429, 'Error.TooManyRequests'],
  [503, 'Error.ServiceUnavailable'],
]);

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
  if (error.shape === 'empty') {
    res.writeHead(error.status, headers).end();
    return;
  }
  const body = JSON.stringify(error.toJSON());
  const mediaType = error.shape === 'validation' ? 'application/problem+json' : 'application/json';
  res
    .writeHead(error.status, {
      ...headers,
      'content-type': `${mediaType}; charset=utf-8`,
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
