import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { moderatorsGroup } from '../actions/notify-moderators.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { AppHandler } from '../http/app-handler.js';
import { parseWith } from '../http/body.js';
import { requireRole } from '../http/principal.js';
import { json } from '../http/responses.js';
import { negotiate as negotiateWorkflow } from '../workflows/negotiate.js';
import { clientAccessUrl } from '../workflows/steps.js';

const negotiateQuerySchema = z.object({ console: z.enum(['true', 'false']).optional() });

/**
 * A client URL with no roles for the signed-in user (or a guest, where allowed), so every message is moderated.
 * `?console=true` (moderator role only) also puts the connection in the moderators' group, for live queue updates.
 */
export const negotiate: AppHandler = async (request, app) => {
  const { settings } = app;
  const principal = await app.principals.read(request.headers);
  if (!principal && !settings.allowAnonymous) throw new UnauthorizedError('Sign in to chat.');
  const query = parseWith(negotiateQuerySchema, Object.fromEntries(request.query), 'InvalidQuery', 'query');
  if (query.console === 'true') requireRole(principal, settings.moderatorRole);
  const userId = principal?.userId ?? `guest-${randomUUID().slice(0, 8)}`;
  // The connect event refuses banned users too; answering here lets the page say why.
  const ban = principal ? await app.sanctions.getSanction('ban', userId, 'app', app.now()) : undefined;
  if (ban) throw new ForbiddenError(`You are banned until ${ban.until.toISOString()}: ${ban.reason}`, 'Banned');
  const { token } = await negotiateWorkflow(app.webPubSub, {
    userId,
    minutesToExpire: settings.clientTokenMinutes,
    ...(query.console === 'true' ? { groups: [moderatorsGroup] } : {}),
  });
  const { clientEndpoint, endpoint, hub } = settings.webPubSub;
  const expiresAt = new Date(app.now().getTime() + settings.clientTokenMinutes * 60_000).toISOString();
  return json(200, { url: clientAccessUrl(clientEndpoint ?? endpoint, hub, token), userId, expiresAt });
};
