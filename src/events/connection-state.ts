import { z } from 'zod';
import { BadRequestError } from '../errors.js';
import { parseBase64Json } from '../http/base64-json.js';

/**
 * What the app remembers about a connection between events: the room it is in. It rides in `ce-connectionState`
 * (the service echoes it on every later event), so the functions stay stateless and scale out. The moderation
 * counters are the user's, not the connection's (`UserPaces`): a reconnect does not start them afresh.
 */
export interface ConnectionState {
  room?: string;
}

const connectionStateSchema = z.object({ room: z.string().max(64).optional() });

export function initialConnectionState(room?: string): ConnectionState {
  return room ? { room } : {};
}

export function encodeConnectionState(state: ConnectionState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64');
}

/** A missing state is a fresh connection; a malformed one did not come from us and is refused. */
export function decodeConnectionState(header: string | undefined): ConnectionState {
  if (!header) return initialConnectionState();
  const state = parseBase64Json(header, connectionStateSchema);
  if (!state) throw new BadRequestError('ce-connectionState is not a state this app wrote.', 'InvalidConnectionState');
  return state as ConnectionState;
}
