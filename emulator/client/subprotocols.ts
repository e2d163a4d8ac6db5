import type { ClientProtocolKind } from '../store/connection.js';

const jsonSubprotocol = 'json.webpubsub.azure.v1';
export const reliableJsonSubprotocol = 'json.reliable.webpubsub.azure.v1';

export function protocolKindOf(subprotocol: string | undefined): ClientProtocolKind {
  if (subprotocol === jsonSubprotocol) return 'json';
  if (subprotocol === reliableJsonSubprotocol) return 'reliable';
  return 'simple';
}

/** The PubSub subprotocol the client offered first, else the first offer (browsers need an echo), else none. */
export function defaultSubprotocol(offered: readonly string[]): string | undefined {
  return offered.find((protocol) => protocolKindOf(protocol) !== 'simple') ?? offered[0];
}

export function parseSubprotocols(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((protocol) => protocol.trim())
    .filter((protocol) => protocol.length > 0);
}
