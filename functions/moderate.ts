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

/**
 * `POST /api/moderate/bans` `{ userId, room?, minutes, reason? }` → 201, app-wide or in one room. The preflight is
 * `moderateListBans`'s: the Functions host loads one function per route and method.
 */
export const banFunction = registerHttpFunction('moderateBan', {
  route: 'moderate/bans',
  methods: ['POST'],
  endpoint: 'ban',
});

/** `GET|PUT /api/moderate/rooms/{room}/settings`: slow mode, maximum length, links. */
export const getRoomSettingsFunction = registerHttpFunction('moderateGetRoomSettings', {
  route: 'moderate/rooms/{room}/settings',
  methods: ['GET', 'OPTIONS'],
  endpoint: 'getRoomSettings',
});

export const putRoomSettingsFunction = registerHttpFunction('moderatePutRoomSettings', {
  route: 'moderate/rooms/{room}/settings',
  methods: ['PUT'],
  endpoint: 'putRoomSettings',
});

/** `GET|POST /api/moderate/rules`: words, regular expressions and domains, `block` or `flag`, global or per room. */
export const listRulesFunction = registerHttpFunction('moderateListRules', {
  route: 'moderate/rules',
  methods: ['GET', 'OPTIONS'],
  endpoint: 'listRules',
});

export const addRuleFunction = registerHttpFunction('moderateAddRule', {
  route: 'moderate/rules',
  methods: ['POST'],
  endpoint: 'addRule',
});

/** `DELETE /api/moderate/rules/{id}` → 204. */
export const deleteRuleFunction = registerHttpFunction('moderateDeleteRule', {
  route: 'moderate/rules/{id}',
  methods: ['DELETE', 'OPTIONS'],
  endpoint: 'deleteRule',
});

/** `GET /api/moderate/queue?room&limit`: flagged and reported messages. */
export const listQueueFunction = registerHttpFunction('moderateListQueue', {
  route: 'moderate/queue',
  methods: ['GET', 'OPTIONS'],
  endpoint: 'listQueue',
});

/** `POST /api/moderate/queue/{id}` `{ action: dismiss|delete|mute|ban, minutes?, reason?, scope? }`. */
export const decideQueueItemFunction = registerHttpFunction('moderateDecideQueueItem', {
  route: 'moderate/queue/{id}',
  methods: ['POST', 'OPTIONS'],
  endpoint: 'decideQueueItem',
});

/** `GET|POST /api/moderate/mutes`, `DELETE /api/moderate/mutes/{userId}?room=`: mutes in one room. */
export const listMutesFunction = registerHttpFunction('moderateListMutes', {
  route: 'moderate/mutes',
  methods: ['GET', 'OPTIONS'],
  endpoint: 'listMutes',
});

export const muteFunction = registerHttpFunction('moderateMute', {
  route: 'moderate/mutes',
  methods: ['POST'],
  endpoint: 'mute',
});

export const unmuteFunction = registerHttpFunction('moderateUnmute', {
  route: 'moderate/mutes/{userId}',
  methods: ['DELETE', 'OPTIONS'],
  endpoint: 'unmute',
});

/** `GET|POST /api/moderate/shadow-bans`, `DELETE /api/moderate/shadow-bans/{userId}?room=`. */
export const listShadowBansFunction = registerHttpFunction('moderateListShadowBans', {
  route: 'moderate/shadow-bans',
  methods: ['GET', 'OPTIONS'],
  endpoint: 'listShadowBans',
});

export const shadowBanFunction = registerHttpFunction('moderateShadowBan', {
  route: 'moderate/shadow-bans',
  methods: ['POST'],
  endpoint: 'shadowBan',
});

export const unshadowBanFunction = registerHttpFunction('moderateUnshadowBan', {
  route: 'moderate/shadow-bans/{userId}',
  methods: ['DELETE', 'OPTIONS'],
  endpoint: 'unshadowBan',
});
