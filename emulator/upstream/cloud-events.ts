import { createHmac, randomUUID } from 'node:crypto';
import { cloudEventType, type UpstreamEvent } from './event-handlers.js';

/** What upstream requests say about the connection. */
export interface UpstreamConnectionContext {
  connectionId: string;
  userId?: string | undefined;
  subprotocol?: string | undefined;
  connectionState?: string | undefined;
}

export interface CloudEventHeaderOptions {
  hub: string;
  event: UpstreamEvent;
  connection: UpstreamConnectionContext;
  accessKeys: readonly string[];
  origin: string;
  contentType: string;
}

/** Binary-mode CloudEvents headers, as the service sends them. */
export function cloudEventHeaders(options: CloudEventHeaderOptions): Record<string, string> {
  const { connection } = options;
  const hub = options.hub.toLowerCase();
  const headers: Record<string, string> = {
    'content-type': options.contentType,
    'ce-specversion': '1.0',
    'ce-awpsversion': '1.0',
    'ce-type': cloudEventType(options.event),
    'ce-source': `/hubs/${hub}/client/${connection.connectionId}`,
    'ce-id': randomUUID(),
    'ce-time': new Date().toISOString(),
    'ce-hub': hub,
    'ce-connectionId': connection.connectionId,
    'ce-eventName': options.event.name,
    'ce-signature': signConnectionId(connection.connectionId, options.accessKeys),
    'webhook-request-origin': options.origin,
  };
  if (connection.userId !== undefined) headers['ce-userId'] = connection.userId;
  if (connection.subprotocol !== undefined) headers['ce-subprotocol'] = connection.subprotocol;
  if (connection.connectionState) headers['ce-connectionState'] = connection.connectionState;
  return headers;
}

/** `sha256=<hex HMAC of the connectionId>` for each access key, comma-separated. */
function signConnectionId(connectionId: string, accessKeys: readonly string[]): string {
  return accessKeys
    .map((key) => `sha256=${createHmac('sha256', Buffer.from(key, 'utf8')).update(connectionId, 'utf8').digest('hex')}`)
    .join(',');
}
