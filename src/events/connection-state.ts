import { z } from 'zod';
import { BadRequestError } from '../errors.js';
import { parseBase64Json } from '../http/base64-json.js';
import {
  type ConnectionModerationState,
  connectionModerationStateSchema,
  initialModerationState,
} from '../moderation/index.js';

/**
 * What the app remembers about a connection between events. It rides in `ce-connectionState` (the service echoes it
 * on every later event), so the functions stay stateless and scale out.
 */
export interface ConnectionState {
  room?: string;
  moderation: ConnectionModerationState;
}

const connectionStateSchema = z.object({
  room: z.string().max(64).optional(),
  moderation: connectionModerationStateSchema,
});

export function initialConnectionState(room?: string): ConnectionState {
  return { ...(room ? { room } : {}), moderation: initialModerationState() };
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
