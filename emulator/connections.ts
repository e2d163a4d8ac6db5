import { closeCodes } from './errors.js';
import { systemFrames } from './protocol/outbound-message.js';
import type { ClientSocket, Connection } from './store/connection.js';
import type { HubRegistry } from './store/hub.js';
import type { UpstreamDispatcher } from './upstream/dispatcher.js';

/** Close reasons travel in the close frame, which allows 123 bytes. */
const maxCloseReasonBytes = 123;

/** The life of connections across sockets: accept, server-side close, abnormal drop, recovery, end. */
export class ConnectionManager {
  constructor(
    readonly hubs: HubRegistry,
    private readonly upstream: UpstreamDispatcher,
    /** How long a reliable session waits for its client after an abnormal drop. */
    private readonly recoveryWindowMs: number,
  ) {}

  find(hub: string, connectionId: string): Connection | undefined {
    return this.hubs.get(hub).connections.get(connectionId);
  }

  accept(connection: Connection, socket: ClientSocket, groups: Iterable<string>): void {
    connection.socket = socket;
    const hub = this.hubs.get(connection.hub);
    hub.add(connection);
    for (const group of groups) hub.joinGroup(connection, group);
    if (connection.isPubSub) connection.sendConnected();
    this.upstream.connected(connection);
  }

  /** Resumes a reliable session on a new socket and resends what the client has not acknowledged. */
  recover(connection: Connection, socket: ClientSocket): void {
    clearTimeout(connection.recoveryTimer);
    connection.recoveryTimer = undefined;
    connection.recoveries++;
    const previous = connection.socket;
    connection.socket = socket;
    previous?.webSocket.terminate();
    connection.sendConnected();
    connection.resendUnacked();
  }

  /** Server-side close: PubSub clients first learn why (the client SDK surfaces the message). */
  close(connection: Connection, reason: string, code: number = closeCodes.policyViolation): void {
    if (connection.closed) return;
    const socket = connection.socket;
    if (connection.isPubSub) connection.sendFrame(systemFrames.disconnected(reason));
    socket?.webSocket.close(code, truncateReason(reason));
    this.end(connection, reason);
  }

  /** Drops the socket without a close frame, as a network failure would; reliable sessions stay recoverable. */
  terminate(connection: Connection): void {
    connection.socket?.webSocket.terminate();
  }

  socketClosed(connection: Connection, socket: ClientSocket, code: number, reason: string): void {
    if (connection.closed || connection.socket?.webSocket !== socket.webSocket) return;
    connection.socket = undefined;
    const abnormal = code === 1006;
    if (abnormal && connection.protocol === 'reliable') {
      connection.recoveryTimer = setTimeout(
        () => this.end(connection, 'Connection recovery timed out.'),
        this.recoveryWindowMs,
      );
      connection.recoveryTimer.unref();
      return;
    }
    this.end(connection, reason || (abnormal ? 'Connection was dropped.' : ''));
  }

  closeAll(reason: string): void {
    for (const hub of this.hubs.all()) {
      for (const connection of [...hub.connections.values()]) this.close(connection, reason, closeCodes.goingAway);
    }
  }

  private end(connection: Connection, reason: string): void {
    if (connection.closed) return;
    connection.closed = true;
    clearTimeout(connection.recoveryTimer);
    connection.socket = undefined;
    this.hubs.get(connection.hub).remove(connection);
    this.upstream.disconnected(connection, reason);
  }
}

function truncateReason(reason: string): string {
  const bytes = Buffer.from(reason);
  if (bytes.length <= maxCloseReasonBytes) return reason;
  // Cut on a character boundary.
  return new TextDecoder().decode(bytes.subarray(0, maxCloseReasonBytes)).replace(/\uFFFD+$/, '');
}
