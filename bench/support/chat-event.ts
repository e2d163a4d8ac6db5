import { randomUUID } from 'node:crypto';
import { encodeConnectionState, initialConnectionState } from '../../src/events/connection-state.js';

export interface ChatEvent {
  headers: Record<string, string>;
  body: string;
}

export const chatText = 'the new build looks great, see you at 3pm';

/**
 * `n` as words the flood rule tells apart: its digits one by one ("100" → "1 0 0"), since folding squeezes a run of
 * one character ("100" and "10" would both read "10").
 */
const uniqueTail = (n: number): string => [...String(n)].join(' ');

/**
 * A user event `chat` in binary-mode CloudEvents, as the emulator sends it (protocol reference §4), from `userId` for
 * `room`; the connection state puts the connection in that room, or in none (`inRoom` false). `n` makes the text
 * unique, so the flood rule never refuses it.
 */
export function chatEvent(token: string, room: string, inRoom: boolean, userId = 'bench-user', n = 0): ChatEvent {
  const connectionId = `bench-${randomUUID()}`;
  const headers = {
    authorization: `Bearer ${token}`,
    'ce-specversion': '1.0',
    'ce-awpsversion': '1.0',
    'ce-type': 'azure.webpubsub.user.chat',
    'ce-source': `/hubs/chat/client/${connectionId}`,
    'ce-id': randomUUID(),
    'ce-time': new Date().toISOString(),
    'ce-hub': 'chat',
    'ce-connectionid': connectionId,
    'ce-eventname': 'chat',
    'ce-userid': userId,
    'ce-connectionstate': encodeConnectionState(initialConnectionState(inRoom ? room : undefined)),
    'webhook-request-origin': '127.0.0.1',
    'content-type': 'application/json',
  };
  return { headers, body: JSON.stringify({ room, text: `${chatText} ${uniqueTail(n)}` }) };
}
