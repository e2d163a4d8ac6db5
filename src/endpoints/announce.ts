import { z } from 'zod';
import { audited } from '../actions/audited.js';
import { roomSchema } from '../events/rooms.js';
import type { AppHandler } from '../http/app-handler.js';
import { readJsonBody } from '../http/body.js';
import { requireRole } from '../http/principal.js';
import { json } from '../http/responses.js';
import { generateTokenThenBroadcast } from '../workflows/generate-token-then-broadcast.js';

const announceSchema = z.object({ message: z.string().trim().min(1).max(2_000), room: roomSchema.optional() }).strict();

/** The moderator's token (to watch the room) and the broadcast to the room, or to the whole hub. */
export const announce: AppHandler = async (request, app) => {
  const moderator = requireRole(await app.principals.read(request.headers), app.settings.moderatorRole);
  const body = await readJsonBody(request, announceSchema);
  const entry = {
    actor: moderator.userId,
    action: 'announce',
    reason: body.message,
    ...(body.room ? { room: body.room } : {}),
  } as const;
  const result = await audited(app, entry, () =>
    generateTokenThenBroadcast(app.webPubSub, {
      userId: moderator.userId,
      minutesToExpire: app.settings.clientTokenMinutes,
      message: body.message,
      ...(body.room ? { group: body.room } : {}),
    }),
  );
  return json(200, { token: result.token, broadcastStatus: result.broadcastStatus });
};
