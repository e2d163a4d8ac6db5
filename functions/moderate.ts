import { registerHttpFunction } from '../src/http/register.js';

/** `POST /api/moderate/evict` → `{ revokeStatus, closeStatus, bannedUntil? }`. */
export const evictFunction = registerHttpFunction('moderateEvict', {
  route: 'moderate/evict',
  methods: ['POST', 'OPTIONS'],
  endpoint: 'evict',
});

/** `GET /api/moderate/bans` → the bans in force. */
export const listBansFunction = registerHttpFunction('moderateListBans', {
  route: 'moderate/bans',
  methods: ['GET', 'OPTIONS'],
  endpoint: 'listBans',
});

/** `DELETE /api/moderate/bans/{userId}` → 204, or 404 when the user was not banned. */
export const unbanFunction = registerHttpFunction('moderateUnban', {
  route: 'moderate/bans/{userId}',
  methods: ['DELETE', 'OPTIONS'],
  endpoint: 'unban',
});

/** `GET /api/moderate/audit?limit&before` → newest first, paged. */
export const auditFunction = registerHttpFunction('moderateAudit', {
  route: 'moderate/audit',
  methods: ['GET', 'OPTIONS'],
  endpoint: 'audit',
});

/** `GET /api/moderate/rooms` → rooms with their connection counts. */
export const roomsFunction = registerHttpFunction('moderateRooms', {
  route: 'moderate/rooms',
  methods: ['GET', 'OPTIONS'],
  endpoint: 'rooms',
});

/** `GET /api/moderate/rooms/{room}/connections` → who is in the room. */
export const roomConnectionsFunction = registerHttpFunction('moderateRoomConnections', {
  route: 'moderate/rooms/{room}/connections',
  methods: ['GET', 'OPTIONS'],
  endpoint: 'roomConnections',
});
