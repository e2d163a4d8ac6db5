import type { HubSettingsRegistry } from '../hub-settings.js';
import type { Connection } from '../store/connection.js';
import type { UpstreamConnectionContext } from './cloud-events.js';
import { findEventHandler, type UpstreamEvent } from './event-handlers.js';
import type { UpstreamClient, UpstreamReply } from './upstream-client.js';

/** The body of the blocking `connect` event. */
export interface ConnectEventBody {
  claims: Record<string, string[]>;
  query: Record<string, string[]>;
  headers: Record<string, string[]>;
  subprotocols: string[];
  clientCertificates: { thumbprint: string; content: string }[];
}

/**
 * Routes connection events to the hub's event handlers. Events of one connection reach upstream one at a
 * time and in order; `connected` and `disconnected` are fire-and-forget.
 */
export class UpstreamDispatcher {
  constructor(
    private readonly settings: HubSettingsRegistry,
    private readonly client: UpstreamClient,
    private readonly log: (message: string) => void,
  ) {}

  /** Undefined when no handler subscribes to `connect`. Throws UpstreamUnavailableError. */
  async connect(
    hub: string,
    connection: UpstreamConnectionContext,
    body: ConnectEventBody,
  ): Promise<UpstreamReply | undefined> {
    const event: UpstreamEvent = { kind: 'system', name: 'connect' };
    const handler = findEventHandler(this.settings.get(hub), event);
    if (!handler) return undefined;
    return this.client.send({
      handler,
      hub,
      event,
      connection,
      body: JSON.stringify(body),
      contentType: 'application/json; charset=utf-8',
    });
  }

  connected(connection: Connection): void {
    this.notify(connection, 'connected', {});
  }

  disconnected(connection: Connection, reason: string): void {
    this.notify(connection, 'disconnected', { reason });
  }

  /**
   * A blocking user event; resolves undefined when no handler subscribes to it.
   * Replaces the connection state when the reply carries one.
   */
  userEvent(
    connection: Connection,
    eventName: string,
    body: Buffer,
    contentType: string,
  ): Promise<UpstreamReply | undefined> {
    const event: UpstreamEvent = { kind: 'user', name: eventName };
    const handler = findEventHandler(this.settings.get(connection.hub), event);
    if (!handler) return Promise.resolve(undefined);
    return this.enqueue(connection, async () => {
      const reply = await this.client.send({
        handler,
        hub: connection.hub,
        event,
        connection: contextOf(connection),
        body,
        contentType,
      });
      if (reply.connectionState !== undefined) connection.connectionState = reply.connectionState;
      return reply;
    });
  }

  private notify(connection: Connection, name: 'connected' | 'disconnected', body: object): void {
    const event: UpstreamEvent = { kind: 'system', name };
    const handler = findEventHandler(this.settings.get(connection.hub), event);
    if (!handler) return;
    this.enqueue(connection, () =>
      this.client.send({
        handler,
        hub: connection.hub,
        event,
        connection: contextOf(connection),
        body: JSON.stringify(body),
        contentType: 'application/json; charset=utf-8',
      }),
    ).then(
      (reply) => {
        if (reply.status >= 300) this.log(`${name} event for ${connection.id} answered ${reply.status}`);
      },
      (error: Error) => this.log(`${name} event for ${connection.id} failed: ${error.message}`),
    );
  }

  private enqueue<T>(connection: Connection, call: () => Promise<T>): Promise<T> {
    const result = connection.upstreamQueue.then(call);
    connection.upstreamQueue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

function contextOf(connection: Connection): UpstreamConnectionContext {
  return {
    connectionId: connection.id,
    userId: connection.userId,
    subprotocol: connection.subprotocol,
    connectionState: connection.connectionState,
  };
}
