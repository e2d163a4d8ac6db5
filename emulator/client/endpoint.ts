import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { JWTPayload } from 'jose';
import { type WebSocket, WebSocketServer } from 'ws';
import type { AccessKeyRing } from '../auth/access-key.js';
import { audienceMatches } from '../auth/audience.js';
import { bearerToken } from '../auth/rest-authenticator.js';
import type { ConnectionManager } from '../connections.js';
import { closeCodes, HandshakeRejectedError, handshakeErrors } from '../errors.js';
import { type HubSettingsRegistry, isValidGroupName, isValidHubName } from '../hub-settings.js';
import { type ClientSocket, Connection } from '../store/connection.js';
import type { WriteCoalescer } from '../store/write-coalescer.js';
import type { ConnectEventBody, UpstreamDispatcher } from '../upstream/dispatcher.js';
import type { ClientFrameHandler } from './frame-handler.js';
import { defaultSubprotocol, parseSubprotocols, protocolKindOf, reliableJsonSubprotocol } from './subprotocols.js';

export interface ClientEndpointOptions {
  /** Base URLs of every listener of this emulator; a client token's `aud` may name any of them. */
  listenerUrls: readonly string[];
  connections: ConnectionManager;
  settings: HubSettingsRegistry;
  keyRing: AccessKeyRing;
  upstream: UpstreamDispatcher;
  frames: ClientFrameHandler;
  coalescer: WriteCoalescer;
}

const maxFrameBytes = 1024 * 1024;
const clientPathPattern = /^\/client\/hubs\/([^/]+)\/?$/;
/** Query parameters and headers the connect event does not pass on. */
const hiddenQuery = new Set(['access_token']);
const hiddenHeaders = new Set(['authorization', 'sec-websocket-key']);

/** Outcome of the connect stage: what the accepted connection looks like. */
interface Admission {
  userId: string | undefined;
  roles: string[];
  groups: string[];
  subprotocol: string | undefined;
  connectionState: string | undefined;
  /** Whether a connect event handler accepted the connection. */
  acceptedUpstream: boolean;
}

/** `/client/hubs/{hub}`: authenticates the handshake, runs the blocking connect event, then hands frames on. */
export class ClientEndpoint {
  private readonly sockets = new Set<WebSocket>();
  private readonly chosenSubprotocols = new WeakMap<IncomingMessage, string>();
  private readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: false,
    // The service must echo the chosen subprotocol or the client SDK fails with "Server sent no subprotocol".
    handleProtocols: (_offered, request) => this.chosenSubprotocols.get(request) ?? false,
  });

  constructor(private readonly options: ClientEndpointOptions) {}

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, scheme: 'http' | 'https'): void {
    socket.on('error', () => socket.destroy());
    this.upgrade(request, socket, head, scheme).catch((error: unknown) => {
      const rejection = error instanceof HandshakeRejectedError ? error : handshakeErrors.internal();
      rejectHandshake(socket, rejection);
    });
  }

  close(): void {
    for (const socket of this.sockets) socket.terminate();
    this.server.close();
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, scheme: 'http' | 'https') {
    const host = request.headers.host ?? 'localhost';
    const url = new URL(request.url ?? '/', `${scheme}://${host}`);
    const encodedHub = clientPathPattern.exec(url.pathname)?.[1];
    if (encodedHub === undefined) throw handshakeErrors.notFound();
    const hub = safeDecode(encodedHub);
    if (hub === undefined || !isValidHubName(hub)) throw handshakeErrors.invalidHubName();
    const offered = parseSubprotocols(request.headers['sec-websocket-protocol']);
    const recoveringId = url.searchParams.get('awps_connection_id');
    if (recoveringId !== null) {
      this.recover(request, socket, head, hub, recoveringId, url.searchParams.get('awps_reconnection_token'));
      return;
    }
    const claims = await this.authenticate(url, request, hub, scheme, host);
    const connectionId = newConnectionId();
    const admission = await this.admit(hub, connectionId, claims, url, request, offered);
    const protocol = protocolKindOf(admission.subprotocol);
    const connection = new Connection({
      id: connectionId,
      hub,
      userId: admission.userId,
      protocol,
      subprotocol: admission.subprotocol,
      roles: admission.roles,
      connectionState: admission.connectionState,
      reconnectionToken: protocol === 'reliable' ? randomBytes(24).toString('base64url') : undefined,
      coalescer: this.options.coalescer,
    });
    if (socket.destroyed) {
      // Upstream accepted a connect whose client then left: `disconnected` always follows an accepted connect.
      if (admission.acceptedUpstream) this.options.upstream.disconnected(connection, 'The client left during connect.');
      return;
    }
    this.upgradeTo(request, socket, head, admission.subprotocol, (clientSocket) => {
      this.options.connections.accept(connection, clientSocket, admission.groups);
      this.attach(connection, clientSocket);
    });
  }

  private async authenticate(url: URL, request: IncomingMessage, hub: string, scheme: string, host: string) {
    const token = url.searchParams.get('access_token') ?? bearerToken(request.headers.authorization);
    if (token === null || token === undefined) {
      if (this.options.settings.get(hub).anonymousConnect) return undefined;
      throw handshakeErrors.unauthorized();
    }
    const claims = await this.options.keyRing.verify(token);
    const path = `/client/hubs/${encodeURIComponent(hub)}`;
    const audiences = [`${scheme}://${host}`, ...this.options.listenerUrls].map((base) => new URL(`${base}${path}`));
    if (!claims || !audiences.some((audience) => audienceMatches(claims.aud, audience, { ignorePathCase: true }))) {
      throw handshakeErrors.unauthorized();
    }
    return claims;
  }

  /** Applies the token, then the connect event's verdict. */
  private async admit(
    hub: string,
    connectionId: string,
    claims: JWTPayload | undefined,
    url: URL,
    request: IncomingMessage,
    offered: string[],
  ): Promise<Admission> {
    const admission: Admission = {
      userId: typeof claims?.sub === 'string' ? claims.sub : undefined,
      roles: claimValues(claims?.role),
      groups: claimValues(claims?.['webpubsub.group']).filter(isValidGroupName),
      subprotocol: defaultSubprotocol(offered),
      connectionState: undefined,
      acceptedUpstream: false,
    };
    let reply: Awaited<ReturnType<UpstreamDispatcher['connect']>>;
    try {
      reply = await this.options.upstream.connect(
        hub,
        { connectionId, userId: admission.userId },
        connectEventBody(claims, url, request, offered),
      );
    } catch {
      throw handshakeErrors.upstreamUnavailable();
    }
    if (!reply) return admission;
    if (reply.status < 200 || reply.status >= 300) {
      throw handshakeErrors.rejectedUpstream(reply.status, reply.body.toString('utf8'));
    }
    admission.acceptedUpstream = true;
    admission.connectionState = reply.connectionState;
    if (reply.status === 200 && reply.body.length > 0) applyConnectResponse(admission, reply.body, offered);
    return admission;
  }

  private recover(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    hub: string,
    connectionId: string,
    reconnectionToken: string | null,
  ): void {
    const connection = this.options.connections.find(hub, connectionId);
    const recoverable =
      connection !== undefined &&
      connection.protocol === 'reliable' &&
      reconnectionToken !== null &&
      connection.reconnectionToken === reconnectionToken;
    // The client SDK needs the subprotocol echoed even to learn that recovery failed (close 1008).
    this.upgradeTo(request, socket, head, reliableJsonSubprotocol, (clientSocket) => {
      if (!recoverable) {
        clientSocket.webSocket.close(closeCodes.policyViolation, 'Connection recovery failed.');
        return;
      }
      this.options.connections.recover(connection, clientSocket);
      this.attach(connection, clientSocket);
    });
  }

  private upgradeTo(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    subprotocol: string | undefined,
    onOpen: (clientSocket: ClientSocket) => void,
  ): void {
    if (subprotocol !== undefined) this.chosenSubprotocols.set(request, subprotocol);
    this.server.handleUpgrade(request, socket, head, (webSocket) => {
      this.sockets.add(webSocket);
      webSocket.on('close', () => this.sockets.delete(webSocket));
      webSocket.on('error', () => undefined);
      onOpen({ webSocket, stream: socket });
    });
  }

  private attach(connection: Connection, clientSocket: ClientSocket): void {
    const { frames, connections } = this.options;
    const { webSocket } = clientSocket;
    webSocket.on('message', (data, isBinary) => {
      if (connection.socket?.webSocket === webSocket) frames.handle(connection, toBuffer(data), isBinary);
    });
    webSocket.on('close', (code, reason) =>
      connections.socketClosed(connection, clientSocket, code, reason.toString()),
    );
  }
}

function applyConnectResponse(admission: Admission, body: Buffer, offered: string[]): void {
  let response: { userId?: unknown; groups?: unknown; roles?: unknown; subprotocol?: unknown };
  try {
    response = JSON.parse(body.toString('utf8'));
  } catch {
    throw handshakeErrors.invalidUpstreamReply();
  }
  if (typeof response.userId === 'string' && response.userId.length > 0) admission.userId = response.userId;
  if (Array.isArray(response.roles)) admission.roles.push(...response.roles.filter((role) => typeof role === 'string'));
  if (Array.isArray(response.groups)) admission.groups.push(...response.groups.filter(isValidGroupName));
  if (typeof response.subprotocol === 'string' && offered.includes(response.subprotocol)) {
    admission.subprotocol = response.subprotocol;
  }
}

function connectEventBody(
  claims: JWTPayload | undefined,
  url: URL,
  request: IncomingMessage,
  offered: string[],
): ConnectEventBody {
  const query: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    if (hiddenQuery.has(name)) continue;
    const values = query[name] ?? [];
    values.push(value);
    query[name] = values;
  }
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && !hiddenHeaders.has(name)) headers[name] = Array.isArray(value) ? value : [value];
  }
  const claimArrays: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(claims ?? {})) claimArrays[name] = claimValues(value);
  return { claims: claimArrays, query, headers, subprotocols: offered, clientCertificates: [] };
}

/** Token claims may be a single value or an array. */
function claimValues(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((item) => (typeof item === 'string' ? item : String(item)));
}

function rejectHandshake(socket: Duplex, rejection: HandshakeRejectedError): void {
  if (socket.destroyed) return;
  const body = Buffer.from(rejection.body);
  socket.write(
    `HTTP/1.1 ${rejection.status} ${STATUS_CODES[rejection.status] ?? 'Error'}\r\n` +
      'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${body.length}\r\n\r\n`,
  );
  socket.end(body);
}

function newConnectionId(): string {
  return randomBytes(16).toString('base64url');
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
