import { type HttpFunctionDefinition, type HttpFunctionEntry, registerHttpFunction } from '../src/http/register.js';

/**
 * Every function of the app, in one table: its name, route (under `/api`), methods and the endpoint (in
 * `src/runtime.ts`, loaded on the first call) that serves it. Two functions never share a route and a method: the
 * Functions host would load one of them in error. Preflights (`OPTIONS`) go to the route's first function.
 */
const httpFunctions: readonly HttpFunctionEntry[] = [
  /** `GET|POST /api/negotiate` → `{ url, userId, expiresAt }`. */
  { name: 'negotiate', route: 'negotiate', methods: ['GET', 'POST', 'OPTIONS'], endpoint: 'negotiate' },
  /**
   * The Web PubSub event handler: an HTTP function that speaks the upstream CloudEvents protocol itself (the
   * extension's `webPubSubTrigger` binding needs the extension bundle and skips request validation with identity
   * connections).
   */
  { name: 'webpubsub', route: 'webpubsub', methods: ['POST', 'OPTIONS'], endpoint: 'handleUpstream' },
  /** `POST /api/announce` `{ message, room? }` (moderator) → `{ token, broadcastStatus }`. */
  { name: 'announce', route: 'announce', methods: ['POST', 'OPTIONS'], endpoint: 'announce' },
  /** `POST /api/moderate/evict` → `{ revokeStatus, closeStatus, bannedUntil? }`. */
  { name: 'moderateEvict', route: 'moderate/evict', methods: ['POST', 'OPTIONS'], endpoint: 'evict' },
  /** `GET /api/moderate/bans` → the bans in force. */
  { name: 'moderateListBans', route: 'moderate/bans', methods: ['GET', 'OPTIONS'], endpoint: 'listBans' },
  /** `DELETE /api/moderate/bans/{userId}` → 204, or 404 when the user was not banned. */
  { name: 'moderateUnban', route: 'moderate/bans/{userId}', methods: ['DELETE', 'OPTIONS'], endpoint: 'unban' },
  /** `GET /api/moderate/audit?limit&before` → newest first, paged. */
  { name: 'moderateAudit', route: 'moderate/audit', methods: ['GET', 'OPTIONS'], endpoint: 'audit' },
  /** `GET /api/moderate/stats?room&window=hour|day` → the insights: lines per minute or hour, by outcome and rule. */
  { name: 'moderateStats', route: 'moderate/stats', methods: ['GET', 'OPTIONS'], endpoint: 'stats' },
  /** `GET /api/moderate/users/{userId}` → a person's strikes, sanctions, connections, audit entries and queued lines. */
  { name: 'moderateUser', route: 'moderate/users/{userId}', methods: ['GET', 'OPTIONS'], endpoint: 'userProfile' },
  /** `GET /api/moderate/rooms` → rooms with their connection counts. */
  { name: 'moderateRooms', route: 'moderate/rooms', methods: ['GET', 'OPTIONS'], endpoint: 'rooms' },
  /** `GET /api/moderate/rooms/{room}/connections` → who is in the room. */
  {
    name: 'moderateRoomConnections',
    route: 'moderate/rooms/{room}/connections',
    methods: ['GET', 'OPTIONS'],
    endpoint: 'roomConnections',
  },
  /** `GET /api/moderate/messages?q&user&room&minutes` → recent lines that match, in a room, by a user or anywhere. */
  {
    name: 'moderateSearchMessages',
    route: 'moderate/messages',
    methods: ['GET', 'OPTIONS'],
    endpoint: 'searchMessages',
  },
  /** `POST /api/moderate/bans` `{ userId, room?, minutes, reason? }` → 201, app-wide or in one room. */
  { name: 'moderateBan', route: 'moderate/bans', methods: ['POST'], endpoint: 'ban' },
  /** `GET|PUT /api/moderate/rooms/{room}/settings`: slow mode, maximum length, links. */
  {
    name: 'moderateGetRoomSettings',
    route: 'moderate/rooms/{room}/settings',
    methods: ['GET', 'OPTIONS'],
    endpoint: 'getRoomSettings',
  },
  {
    name: 'moderatePutRoomSettings',
    route: 'moderate/rooms/{room}/settings',
    methods: ['PUT'],
    endpoint: 'putRoomSettings',
  },
  /** `GET|POST /api/moderate/rules`: words, regular expressions and domains, `block` or `flag`, global or per room. */
  { name: 'moderateListRules', route: 'moderate/rules', methods: ['GET', 'OPTIONS'], endpoint: 'listRules' },
  { name: 'moderateAddRule', route: 'moderate/rules', methods: ['POST'], endpoint: 'addRule' },
  /** `DELETE /api/moderate/rules/{id}` → 204. */
  { name: 'moderateDeleteRule', route: 'moderate/rules/{id}', methods: ['DELETE', 'OPTIONS'], endpoint: 'deleteRule' },
  /** `GET /api/moderate/queue?room&limit`: flagged and reported messages. */
  { name: 'moderateListQueue', route: 'moderate/queue', methods: ['GET', 'OPTIONS'], endpoint: 'listQueue' },
  /** `POST /api/moderate/queue/{id}` `{ action: dismiss|delete|mute|ban, minutes?, reason?, scope? }`. */
  {
    name: 'moderateDecideQueueItem',
    route: 'moderate/queue/{id}',
    methods: ['POST', 'OPTIONS'],
    endpoint: 'decideQueueItem',
  },
  /** `GET /api/moderate/queue/{id}/context` → the room's lines around the queued one. */
  {
    name: 'moderateQueueContext',
    route: 'moderate/queue/{id}/context',
    methods: ['GET', 'OPTIONS'],
    endpoint: 'queueContext',
  },
  /** `GET|POST /api/moderate/mutes`, `DELETE /api/moderate/mutes/{userId}?room=`: mutes in one room. */
  { name: 'moderateListMutes', route: 'moderate/mutes', methods: ['GET', 'OPTIONS'], endpoint: 'listMutes' },
  { name: 'moderateMute', route: 'moderate/mutes', methods: ['POST'], endpoint: 'mute' },
  { name: 'moderateUnmute', route: 'moderate/mutes/{userId}', methods: ['DELETE', 'OPTIONS'], endpoint: 'unmute' },
  /** `GET|POST /api/moderate/shadow-bans`, `DELETE /api/moderate/shadow-bans/{userId}?room=`. */
  {
    name: 'moderateListShadowBans',
    route: 'moderate/shadow-bans',
    methods: ['GET', 'OPTIONS'],
    endpoint: 'listShadowBans',
  },
  { name: 'moderateShadowBan', route: 'moderate/shadow-bans', methods: ['POST'], endpoint: 'shadowBan' },
  {
    name: 'moderateUnshadowBan',
    route: 'moderate/shadow-bans/{userId}',
    methods: ['DELETE', 'OPTIONS'],
    endpoint: 'unshadowBan',
  },
];

/** Importing this module registers every function with the Functions host. */
export const functionDefinitions: readonly HttpFunctionDefinition[] = httpFunctions.map(registerHttpFunction);
