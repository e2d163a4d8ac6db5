import { z } from 'zod';
import { imposeSanction, liftSanction } from '../actions/sanction.js';
import { type ErrorCode, NotFoundError } from '../errors.js';
import { roomSchema } from '../events/rooms.js';
import type { AppHandler } from '../http/app-handler.js';
import { parseWith, readJsonBody } from '../http/body.js';
import { reasonSchema, sanctionMinutesSchema, userIdSchema } from '../http/fields.js';
import { json } from '../http/responses.js';
import type { AuditAction, Sanction, SanctionKind } from '../store/types.js';
import { moderatorOnly } from './moderate.js';

interface SanctionEndpointOptions {
  kind: SanctionKind;
  /** Mutes exist only in a room; bans and shadow bans are app-wide without one. */
  roomRequired: boolean;
  defaultMinutes: number | undefined;
  removeAction: AuditAction;
  /** The property the list answers in. */
  listName: string;
  notFound: { code: ErrorCode; message: string };
}

const toJson = ({ kind: _kind, ...sanction }: Sanction) => ({
  ...sanction,
  until: sanction.until.toISOString(),
  createdAt: sanction.createdAt.toISOString(),
});

/**
 * The three endpoints of one kind of sanction: `POST` `{ userId, room?, minutes?, reason? }` → 201, `GET` → the
 * sanctions in force, `DELETE /{userId}?room=` → 204 (404 when there was none).
 */
function sanctionEndpoints(options: SanctionEndpointOptions): {
  create: AppHandler;
  list: AppHandler;
  remove: AppHandler;
} {
  const bodySchema = z
    .object({
      userId: userIdSchema,
      room: options.roomRequired ? roomSchema : roomSchema.optional(),
      minutes:
        options.defaultMinutes === undefined
          ? sanctionMinutesSchema
          : sanctionMinutesSchema.default(options.defaultMinutes),
      reason: reasonSchema.default('By a moderator'),
    })
    .strict();
  const removeQuerySchema = z.object({ room: options.roomRequired ? roomSchema : roomSchema.optional() });
  return {
    create: moderatorOnly(async (request, app, moderator) => {
      const body = await readJsonBody(request, bodySchema);
      const sanction = await imposeSanction(app, { ...body, kind: options.kind, actor: moderator.userId });
      return json(201, toJson(sanction));
    }),
    list: moderatorOnly(async (_request, app) => {
      const sanctions = await app.sanctions.listSanctions(app.now(), options.kind);
      return json(200, { [options.listName]: sanctions.map(toJson) });
    }),
    remove: moderatorOnly(async (request, app, moderator) => {
      const userId = parseWith(userIdSchema, request.params.userId, 'InvalidUserId', 'userId');
      const { room } = parseWith(removeQuerySchema, Object.fromEntries(request.query), 'InvalidQuery', 'query');
      const lift = { kind: options.kind, userId, room, action: options.removeAction, actor: moderator.userId };
      if (!(await liftSanction(app, lift))) {
        throw new NotFoundError(`'${userId}' ${options.notFound.message}.`, options.notFound.code);
      }
      return { status: 204 };
    }),
  };
}

const bans = sanctionEndpoints({
  kind: 'ban',
  roomRequired: false,
  defaultMinutes: undefined,
  removeAction: 'unban',
  listName: 'bans',
  notFound: { code: 'NotBanned', message: 'is not banned there' },
});
const mutes = sanctionEndpoints({
  kind: 'mute',
  roomRequired: true,
  defaultMinutes: 10,
  removeAction: 'unmute',
  listName: 'mutes',
  notFound: { code: 'NotMuted', message: 'is not muted there' },
});
const shadowBans = sanctionEndpoints({
  kind: 'shadow-ban',
  roomRequired: false,
  defaultMinutes: 7 * 24 * 60,
  removeAction: 'unshadow-ban',
  listName: 'shadowBans',
  notFound: { code: 'NotShadowBanned', message: 'is not shadow-banned there' },
});

export const { create: ban, list: listBans, remove: unban } = bans;
export const { create: mute, list: listMutes, remove: unmute } = mutes;
export const { create: shadowBan, list: listShadowBans, remove: unshadowBan } = shadowBans;
