import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { evictAndBan } from '../actions/evict.js';
import type { App } from '../app.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import { roomSchema } from '../events/rooms.js';
import type { AppHandler } from '../http/app-handler.js';
import { parseWith, readJsonBody } from '../http/body.js';
import { reasonSchema, sanctionMinutesSchema } from '../http/fields.js';
import { type Principal, requireRole } from '../http/principal.js';
import { json } from '../http/responses.js';

const evictSchema = z
  .object({
    connectionId: z.string().min(1).max(256),
    permission: z.enum(['sendToGroup', 'joinLeaveGroup']),
    room: roomSchema.optional(),
    reason: reasonSchema.default('Removed by a moderator'),
    banMinutes: sanctionMinutesSchema.optional(),
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
  // The service answers 204 to revoking and closing a connection it does not have, so the workflow cannot tell an
  // unknown connection from an evicted one: ask first. In a room the roster knows whose connection it is (the ban
  // needs the user); without one, only the service knows the connection, not its user.
  if (body.banMinutes !== undefined && !body.room) {
    throw new BadRequestError("banMinutes needs the room whose roster names the connection's user.", 'RoomRequired');
  }
  const presence = body.room ? await app.presence.getPresence(body.room, body.connectionId) : undefined;
  const known = body.room ? presence !== undefined : await app.webPubSub.connectionExists(body.connectionId);
  if (!known) {
    throw new NotFoundError(
      `Connection '${body.connectionId}' is not ${body.room ? `in room '${body.room}'` : 'connected'}.`,
      'TargetNotFound',
    );
  }
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
  return json(200, await app.audit.listAudit(query));
});

export const rooms = moderatorOnly(async (_request, app) => json(200, { rooms: await app.presence.listRooms() }));

export const roomConnections = moderatorOnly(async (request, app) => {
  const room = parseWith(roomSchema, request.params.room, 'InvalidRoom', 'room');
  return json(200, { room, connections: await app.presence.listRoom(room) });
});
