import { z } from 'zod';
import { roomSchema } from '../src/events/rooms.js';
import { readJsonBody } from '../src/http/body.js';
import { readPrincipal, requireRole } from '../src/http/principal.js';
import { registerHttpFunction, withApp } from '../src/http/register.js';
import { json } from '../src/http/responses.js';
import { generateTokenThenBroadcast } from '../src/workflows/generate-token-then-broadcast.js';

const announceSchema = z.object({ message: z.string().trim().min(1).max(2_000), room: roomSchema.optional() }).strict();

/** `POST /api/announce` `{ message, room? }` (moderator) → `{ token, broadcastStatus }`. */
export const announceFunction = registerHttpFunction('announce', {
  route: 'announce',
  methods: ['POST', 'OPTIONS'],
  authLevel: 'anonymous',
  handler: withApp(async (request, _context, app) => {
    const moderator = requireRole(readPrincipal(request.headers, app.settings), app.settings.moderatorRole);
    const body = await readJsonBody(request, announceSchema);
    try {
      const result = await generateTokenThenBroadcast(app.clients.webPubSub, {
        userId: moderator.userId,
        minutesToExpire: app.settings.clientTokenMinutes,
        message: body.message,
        ...(body.room ? { group: body.room } : {}),
      });
      await app.store.appendAudit({
        at: app.now(),
        actor: moderator.userId,
        action: 'announce',
        reason: body.message,
        outcome: 'succeeded',
        steps: result.steps,
        ...(body.room ? { room: body.room } : {}),
      });
      return json(200, { token: result.token, broadcastStatus: result.broadcastStatus });
    } catch (error) {
      await app.store.appendAudit({
        at: app.now(),
        actor: moderator.userId,
        action: 'announce',
        reason: body.message,
        outcome: 'failed',
        error: error instanceof Error ? error.message : String(error),
        ...(body.room ? { room: body.room } : {}),
      });
      throw error;
    }
  }),
});
