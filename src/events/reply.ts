import type { HttpResponseInit } from '@azure/functions';
import type { AppReply } from '../contracts.js';
import { type ConnectionState, encodeConnectionState } from './connection-state.js';

/**
 * What a user event answers: sent back to the client as a server message, with the connection's new state when it
 * changed. Without the header the service keeps the state it has, as the official handler relies on (it sends the
 * header only after `setState`); re-encoding an unchanged state would cost every refused line for nothing.
 */
export function reply(body: AppReply, changedState?: ConnectionState): HttpResponseInit {
  return changedState
    ? { status: 200, jsonBody: body, headers: { 'ce-connectionState': encodeConnectionState(changedState) } }
    : { status: 200, jsonBody: body };
}
