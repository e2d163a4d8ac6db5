import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { evictAndBan } from '../src/actions/evict.js';
import type { App } from '../src/app.js';
import { NotFoundError } from '../src/errors.js';
import { roomSchema } from '../src/events/rooms.js';
import { parseWith, readJsonBody } from '../src/http/body.js';
import type { Principal } from '../src/http/principal.js';
import { readPrincipal, requireRole } from '../src/http/principal.js';
import { registerHttpFunction, withApp } from '../src/http/register.js';
import { json } from '../src/http/responses.js';

const evictSchema = z
  .object({
    connectionId: z.string().min(1).max(256),
    permission: z.enum(['sendToGroup', 'joinLeaveGroup']),
    room: roomSchema.optional(),
    reason: z.string().trim().min(1).max(500).default('Removed by a moderator'),
    banMinutes: z.number().int().min(1).max(525_600).optional(),
  })
  .strict();
const auditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().max(100).optional(),
});
const userIdSchema = z.string().min(1).max(1024);

type ModeratorHandler = (
  request: HttpRequest,
  app: App,
  moderator: Principal,
  context: InvocationContext,
) => Promise<HttpResponseInit>;

/** Every moderator endpoint: 401 with nobody signed in, 403 without the moderator role. */
function moderatorOnly(handler: ModeratorHandler): ReturnType<typeof withApp> {
  return withApp((request, context, app) =>
    handler(
      request,
      app,
      requireRole(readPrincipal(request.headers, app.settings), app.settings.moderatorRole),
      context,
    ),
  );
}

/** `POST /api/moderate/evict` → `{ revokeStatus, closeStatus, bannedUntil? }`. */
export const evictFunction = registerHttpFunction('moderateEvict', {
  route: 'moderate/evict',
  methods: ['POST', 'OPTIONS'],
  authLevel: 'anonymous',
  handler: moderatorOnly(async (request, app, moderator) => {
    const body = await readJsonBody(request, evictSchema);
    const presence = body.room
      ? (await app.store.listRoom(body.room)).find((entry) => entry.connectionId === body.connectionId)
      : undefined;
    const result = await evictAndBan(app, {
      ...body,
      ...(presence ? { userId: presence.userId } : {}),
      actor: moderator.userId,
    });
    return json(200, {
      revokeStatus: result.revokeStatus,
      closeStatus: result.closeStatus,
      ...(result.bannedUntil ? { bannedUntil: result.bannedUntil.toISOString() } : {}),
    });
  }),
});

/** `GET /api/moderate/bans` → the bans in force. */
export const listBansFunction = registerHttpFunction('moderateListBans', {
  route: 'moderate/bans',
  methods: ['GET', 'OPTIONS'],
  authLevel: 'anonymous',
  handler: moderatorOnly(async (_request, app) => json(200, { bans: await app.store.listBans(app.now()) })),
});

/** `DELETE /api/moderate/bans/{userId}` → 204, or 404 when the user was not banned. */
export const unbanFunction = registerHttpFunction('moderateUnban', {
  route: 'moderate/bans/{userId}',
  methods: ['DELETE', 'OPTIONS'],
  authLevel: 'anonymous',
  handler: moderatorOnly(async (request, app, moderator) => {
    const userId = parseWith(userIdSchema, request.params.userId, 'InvalidUserId');
    if (!(await app.store.deleteBan(userId))) throw new NotFoundError(`'${userId}' is not banned.`, 'NotBanned');
    await app.store.appendAudit({
      at: app.now(),
      actor: moderator.userId,
      action: 'unban',
      target: userId,
      outcome: 'succeeded',
    });
    return { status: 204 };
  }),
});

/** `GET /api/moderate/audit?limit&before` → newest first, paged. */
export const auditFunction = registerHttpFunction('moderateAudit', {
  route: 'moderate/audit',
  methods: ['GET', 'OPTIONS'],
  authLevel: 'anonymous',
  handler: moderatorOnly(async (request, app) => {
    const query = parseWith(auditQuerySchema, Object.fromEntries(request.query), 'InvalidQuery');
    return json(200, await app.store.listAudit(query));
  }),
});

/** `GET /api/moderate/rooms` → rooms with their connection counts. */
export const roomsFunction = registerHttpFunction('moderateRooms', {
  route: 'moderate/rooms',
  methods: ['GET', 'OPTIONS'],
  authLevel: 'anonymous',
  handler: moderatorOnly(async (_request, app) => json(200, { rooms: await app.store.listRooms() })),
});

/** `GET /api/moderate/rooms/{room}/connections` → who is in the room. */
export const roomConnectionsFunction = registerHttpFunction('moderateRoomConnections', {
  route: 'moderate/rooms/{room}/connections',
  methods: ['GET', 'OPTIONS'],
  authLevel: 'anonymous',
  handler: moderatorOnly(async (request, app) => {
    const room = parseWith(roomSchema, request.params.room, 'InvalidRoom');
    return json(200, { room, connections: await app.store.listRoom(room) });
  }),
});
