import type { ConnectionManager } from '../connections.js';
import { closeCodes } from '../errors.js';
import { isValidGroupName } from '../hub-settings.js';
import {
  type AckErrorName,
  type DataType,
  dataTypeOfContentType,
  OutboundMessage,
  systemFrames,
} from '../protocol/outbound-message.js';
import type { Connection } from '../store/connection.js';
import type { PermissionName } from '../store/permissions.js';
import type { UpstreamDispatcher } from '../upstream/dispatcher.js';
import type { UpstreamReply } from '../upstream/upstream-client.js';

interface ClientFrame {
  type?: unknown;
  ackId?: unknown;
  group?: unknown;
  event?: unknown;
  dataType?: unknown;
  data?: unknown;
  noEcho?: unknown;
  sequenceId?: unknown;
}

interface DecodedData {
  dataType: DataType;
  payload: Buffer;
}

const contentTypes: Record<DataType, string> = {
  json: 'application/json',
  text: 'text/plain',
  binary: 'application/octet-stream',
};

/** Handles what clients send: PubSub frames (json protocols) or raw frames of simple clients. */
export class ClientFrameHandler {
  constructor(
    private readonly connections: ConnectionManager,
    private readonly upstream: UpstreamDispatcher,
  ) {}

  handle(connection: Connection, data: Buffer, isBinary: boolean): void {
    if (connection.closed) return;
    if (!connection.isPubSub) {
      this.forwardSimpleFrame(connection, data, isBinary);
      return;
    }
    if (isBinary) {
      this.connections.close(
        connection,
        'Binary frames are not supported by this subprotocol.',
        closeCodes.unsupportedData,
      );
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString('utf8'));
    } catch {
      frame = undefined;
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      this.connections.close(connection, 'The frame is not a JSON object.', closeCodes.invalidPayload);
      return;
    }
    this.handlePubSubFrame(connection, frame as ClientFrame);
  }

  private handlePubSubFrame(connection: Connection, frame: ClientFrame): void {
    switch (frame.type) {
      case 'ping':
        connection.sendFrame(systemFrames.pong);
        return;
      case 'sequenceAck':
        if (typeof frame.sequenceId === 'number') connection.acknowledge(frame.sequenceId);
        return;
      case 'joinGroup':
      case 'leaveGroup':
        this.joinOrLeave(connection, frame, frame.type);
        return;
      case 'sendToGroup':
        this.sendToGroup(connection, frame);
        return;
      case 'event':
        this.sendEvent(connection, frame);
        return;
      default:
        // Unknown frame types are ignored, as newer clients may send types this emulator predates.
        return;
    }
  }

  /** The checks every group frame passes first; the ack id and group, or undefined when it was answered. */
  private admitGroupFrame(
    connection: Connection,
    frame: ClientFrame,
    permission: 'joinLeaveGroup' | 'sendToGroup',
  ): { ackId: number | undefined; group: string } | undefined {
    const ackId = ackIdOf(frame);
    if (this.isDuplicate(connection, ackId)) return undefined;
    const group = frame.group;
    if (!isValidGroupName(group)) {
      this.fail(connection, ackId, 'BadRequest', 'Invalid group name.');
      return undefined;
    }
    return this.permitted(connection, ackId, permission, group) ? { ackId, group } : undefined;
  }

  private joinOrLeave(connection: Connection, frame: ClientFrame, type: 'joinGroup' | 'leaveGroup'): void {
    const admitted = this.admitGroupFrame(connection, frame, 'joinLeaveGroup');
    if (!admitted) return;
    const hub = this.connections.hubs.get(connection.hub);
    if (type === 'joinGroup') hub.joinGroup(connection, admitted.group);
    else hub.leaveGroup(connection, admitted.group);
    this.succeed(connection, admitted.ackId);
  }

  private sendToGroup(connection: Connection, frame: ClientFrame): void {
    const admitted = this.admitGroupFrame(connection, frame, 'sendToGroup');
    if (!admitted) return;
    const { ackId, group } = admitted;
    const decoded = decodeData(frame);
    if (!decoded) {
      this.fail(connection, ackId, 'BadRequest', 'Invalid dataType or data.');
      return;
    }
    const hub = this.connections.hubs.get(connection.hub);
    const message = new OutboundMessage(
      { from: 'group', group, fromUserId: connection.userId },
      decoded.dataType,
      decoded.payload,
    );
    hub.deliver(
      hub.groupMembers(group),
      message,
      frame.noEcho === true ? (member) => member !== connection : undefined,
    );
    this.succeed(connection, ackId);
  }

  private sendEvent(connection: Connection, frame: ClientFrame): void {
    const ackId = ackIdOf(frame);
    if (this.isDuplicate(connection, ackId)) return;
    const decoded = decodeData(frame);
    if (typeof frame.event !== 'string' || frame.event.length === 0 || !decoded) {
      this.fail(connection, ackId, 'BadRequest', 'Invalid event, dataType or data.');
      return;
    }
    this.upstream.userEvent(connection, frame.event, decoded.payload, contentTypes[decoded.dataType]).then(
      (reply) => {
        if (reply && !isSuccess(reply)) {
          this.upstreamFailed(connection, ackId, `answered ${reply.status}`);
          return;
        }
        if (reply) this.replyToClient(connection, reply);
        this.succeed(connection, ackId);
      },
      (error: Error) => this.upstreamFailed(connection, ackId, error.message),
    );
  }

  /** Simple clients: every frame is the `message` user event. */
  private forwardSimpleFrame(connection: Connection, data: Buffer, isBinary: boolean): void {
    const contentType = isBinary ? contentTypes.binary : contentTypes.text;
    this.upstream.userEvent(connection, 'message', data, contentType).then(
      (reply) => {
        if (reply && !isSuccess(reply)) {
          this.upstreamFailed(connection, undefined, `answered ${reply.status}`);
          return;
        }
        if (reply) this.replyToClient(connection, reply);
      },
      (error: Error) => this.upstreamFailed(connection, undefined, error.message),
    );
  }

  /** A 200 body goes back to the client: as a server message for PubSub clients, raw for simple ones. */
  private replyToClient(connection: Connection, reply: UpstreamReply): void {
    if (reply.body.length === 0 || connection.closed) return;
    let dataType = dataTypeOfContentType(reply.contentType) ?? 'binary';
    if (dataType === 'json' && !isJson(reply.body)) dataType = 'text';
    connection.deliver(new OutboundMessage({ from: 'server' }, dataType, reply.body));
  }

  private upstreamFailed(connection: Connection, ackId: number | undefined, detail: string): void {
    if (connection.closed) return;
    this.fail(connection, ackId, 'InternalServerError', 'The event handler failed.');
    this.connections.close(connection, `The event handler failed: ${detail}`, closeCodes.internalError);
  }

  private permitted(connection: Connection, ackId: number | undefined, permission: PermissionName, group: string) {
    if (connection.permissions.allows(permission, group)) return true;
    this.fail(connection, ackId, 'Forbidden', `The connection has no ${permission} permission for group '${group}'.`);
    return false;
  }

  private isDuplicate(connection: Connection, ackId: number | undefined): boolean {
    if (ackId === undefined || !connection.hasHandledAck(ackId)) return false;
    connection.sendFrame(
      systemFrames.ackFailure(ackId, 'Duplicate', 'The message with this ackId was already processed.'),
    );
    return true;
  }

  private succeed(connection: Connection, ackId: number | undefined): void {
    if (ackId === undefined) return;
    connection.recordHandledAck(ackId);
    connection.sendFrame(systemFrames.ackSuccess(ackId));
  }

  private fail(connection: Connection, ackId: number | undefined, name: AckErrorName, message: string): void {
    if (ackId !== undefined) connection.sendFrame(systemFrames.ackFailure(ackId, name, message));
  }
}

function ackIdOf(frame: ClientFrame): number | undefined {
  return typeof frame.ackId === 'number' && Number.isSafeInteger(frame.ackId) && frame.ackId >= 0
    ? frame.ackId
    : undefined;
}

function decodeData(frame: ClientFrame): DecodedData | undefined {
  const dataType = frame.dataType ?? 'json';
  switch (dataType) {
    case 'json':
      return { dataType: 'json', payload: Buffer.from(JSON.stringify(frame.data ?? null)) };
    case 'text':
      return typeof frame.data === 'string' ? { dataType: 'text', payload: Buffer.from(frame.data) } : undefined;
    case 'binary':
      return typeof frame.data === 'string'
        ? { dataType: 'binary', payload: Buffer.from(frame.data, 'base64') }
        : undefined;
    default:
      return undefined;
  }
}

function isSuccess(reply: UpstreamReply): boolean {
  return reply.status >= 200 && reply.status < 300;
}

function isJson(body: Buffer): boolean {
  try {
    JSON.parse(body.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
