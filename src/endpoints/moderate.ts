import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { evictAndBan } from '../actions/evict.js';
import type { App } from '../app.js';
import { roomSchema } from '../events/rooms.js';
import { parseWith, readJsonBody } from '../http/body.js';
import { type Principal, requireRole } from '../http/principal.js';
import type { AppHandler } from '../http/register.js';
import { json } from '../http/responses.js';

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

type ModeratorHandler = (
  request: HttpRequest,
  app: App,
  moderator: Principal,
  context: InvocationContext,
) => Promise<HttpResponseInit>;

/** Every moderator endpoint: 401 with nobody signed in, 403 without the moderator role. */
export const moderatorOnly =
  (handler: ModeratorHandler): AppHandler =>
  async (request, app, context) =>
    handler(request, app, requireRole(await app.principals.read(request.headers), app.settings.moderatorRole), context);

/** Revoke, close, ban (with `banMinutes`) and audit one connection. */
export const evict = moderatorOnly(async (request, app, moderator) => {
  const body = await readJsonBody(request, evictSchema);
  // The roster knows whose connection it is, which the ban needs.
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
});

export const audit = moderatorOnly(async (request, app) => {
  const query = parseWith(auditQuerySchema, Object.fromEntries(request.query), 'InvalidQuery');
  return json(200, await app.store.listAudit(query));
});

export const rooms = moderatorOnly(async (_request, app) => json(200, { rooms: await app.store.listRooms() }));

export const roomConnections = moderatorOnly(async (request, app) => {
  const room = parseWith(roomSchema, request.params.room, 'InvalidRoom', 'room');
  return json(200, { room, connections: await app.store.listRoom(room) });
});
