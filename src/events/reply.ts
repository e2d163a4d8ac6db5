import type { HttpResponseInit } from '@azure/functions';
import { type ConnectionState, encodeConnectionState } from './connection-state.js';

/** What a user event answers: sent back to the client as a server message, with the new connection state. */
export function reply(body: Record<string, unknown>, state: ConnectionState): HttpResponseInit {
  return { status: 200, jsonBody: body, headers: { 'ce-connectionState': encodeConnectionState(state) } };
}
