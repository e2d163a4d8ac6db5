import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { type OutboundMessage, systemFrames } from '../protocol/outbound-message.js';
import { ConnectionPermissions } from './permissions.js';
import type { WriteCoalescer } from './write-coalescer.js';

export type ClientProtocolKind = 'simple' | 'json' | 'reliable';

export interface ConnectionInit {
  id: string;
  hub: string;
  userId?: string | undefined;
  protocol: ClientProtocolKind;
  subprotocol?: string | undefined;
  roles: Iterable<string>;
  connectionState?: string | undefined;
  reconnectionToken?: string | undefined;
  coalescer: WriteCoalescer;
}

/** A client's WebSocket and the TCP stream under it (corked to batch broadcast frames). */
export interface ClientSocket {
  webSocket: WebSocket;
  stream: Duplex;
}

interface UnackedFrame {
  sequenceId: number;
  frame: Buffer;
}

/** Reliable clients may fall this far behind before the oldest un-acked messages are dropped. */
const unackedLimits = { count: 1000, bytes: 16 * 1024 * 1024 };
const maxRememberedAckIds = 10_000;

/** A client connection; outlives its socket while a reliable session waits for recovery. */
export class Connection {
  readonly id: string;
  readonly hub: string;
  readonly userId: string | undefined;
  readonly protocol: ClientProtocolKind;
  readonly subprotocol: string | undefined;
  readonly reconnectionToken: string | undefined;
  readonly roles: Set<string>;
  readonly permissions: ConnectionPermissions;
  readonly groups = new Set<string>();
  private readonly handledAckIds = new Set<number>();
  /** Base64 `ce-connectionState`, replaced by upstream replies. */
  connectionState: string | undefined;
  /** Upstream calls of this connection run one after another, in order. */
  upstreamQueue: Promise<void> = Promise.resolve();
  socket: ClientSocket | undefined;
  recoveryTimer: NodeJS.Timeout | undefined;
  /** Times a reliable session resumed on a new socket. */
  recoveries = 0;
  closed = false;

  private nextSequenceId = 1;
  private readonly unacked: UnackedFrame[] = [];
  private readonly coalescer: WriteCoalescer;
  private unackedBytes = 0;

  constructor(init: ConnectionInit) {
    this.id = init.id;
    this.hub = init.hub;
    this.userId = init.userId;
    this.protocol = init.protocol;
    this.subprotocol = init.subprotocol;
    this.reconnectionToken = init.reconnectionToken;
    this.connectionState = init.connectionState;
    this.roles = new Set(init.roles);
    this.permissions = new ConnectionPermissions(this.roles);
    this.coalescer = init.coalescer;
  }

  /** The name OData filters use. */
  get connectionId(): string {
    return this.id;
  }

  get isPubSub(): boolean {
    return this.protocol !== 'simple';
  }

  deliver(message: OutboundMessage): void {
    const socket = this.socket;
    if (socket) this.coalescer.hold(socket.stream);
    switch (this.protocol) {
      case 'simple':
        socket?.webSocket.send(message.payload, { binary: message.isBinaryForSimpleClient });
        return;
      case 'json':
        socket?.webSocket.send(message.pubSubFrame(), { binary: false });
        return;
      case 'reliable': {
        const sequenceId = this.nextSequenceId++;
        const frame = message.reliableFrame(sequenceId);
        this.remember({ sequenceId, frame });
        socket?.webSocket.send(frame, { binary: false });
      }
    }
  }

  /** Frames outside the message sequence (acks, pongs, system messages). */
  sendFrame(frame: Buffer): void {
    this.socket?.webSocket.send(frame, { binary: false });
  }

  sendConnected(): void {
    this.sendFrame(systemFrames.connected(this.id, this.userId, this.reconnectionToken));
  }

  /** Whether a message with this ackId was already handled (a repeat is answered `Duplicate`). */
  hasHandledAck(ackId: number): boolean {
    return this.handledAckIds.has(ackId);
  }

  /** Remembers the most recent ackIds only, so long-lived connections do not grow without bound. */
  recordHandledAck(ackId: number): void {
    this.handledAckIds.add(ackId);
    if (this.handledAckIds.size > maxRememberedAckIds) {
      const oldest = this.handledAckIds.values().next().value;
      if (oldest !== undefined) this.handledAckIds.delete(oldest);
    }
  }

  /** `sequenceAck` is cumulative. */
  acknowledge(sequenceId: number): void {
    let drop = 0;
    while (drop < this.unacked.length && (this.unacked[drop]?.sequenceId ?? Infinity) <= sequenceId) {
      this.unackedBytes -= this.unacked[drop]?.frame.length ?? 0;
      drop++;
    }
    if (drop > 0) this.unacked.splice(0, drop);
  }

  resendUnacked(): void {
    for (const { frame } of this.unacked) this.socket?.webSocket.send(frame, { binary: false });
  }

  private remember(entry: UnackedFrame): void {
    this.unacked.push(entry);
    this.unackedBytes += entry.frame.length;
    while (this.unacked.length > unackedLimits.count || this.unackedBytes > unackedLimits.bytes) {
      const dropped = this.unacked.shift();
      if (!dropped) break;
      this.unackedBytes -= dropped.frame.length;
    }
  }
}
