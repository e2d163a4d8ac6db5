import { randomUUID } from 'node:crypto';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { AppHandler } from '../http/app-handler.js';
import { json } from '../http/responses.js';
import { negotiate as negotiateWorkflow } from '../workflows/negotiate.js';
import { clientAccessUrl } from '../workflows/steps.js';

/** A client URL with no roles for the signed-in user (or a guest, where allowed), so every message is moderated. */
export const negotiate: AppHandler = async (request, app) => {
  const { settings } = app;
  const principal = await app.principals.read(request.headers);
  if (!principal && !settings.allowAnonymous) throw new UnauthorizedError('Sign in to chat.');
  const userId = principal?.userId ?? `guest-${randomUUID().slice(0, 8)}`;
  // The connect event refuses banned users too; answering here lets the page say why.
  const ban = principal ? await app.sanctions.getSanction('ban', userId, 'app', app.now()) : undefined;
  if (ban) throw new ForbiddenError(`You are banned until ${ban.until.toISOString()}: ${ban.reason}`, 'Banned');
  const { token } = await negotiateWorkflow(app.webPubSub, {
    userId,
    minutesToExpire: settings.clientTokenMinutes,
  });
  const { clientEndpoint, endpoint, hub } = settings.webPubSub;
  const expiresAt = new Date(app.now().getTime() + settings.clientTokenMinutes * 60_000).toISOString();
  return json(200, { url: clientAccessUrl(clientEndpoint ?? endpoint, hub, token), userId, expiresAt });
};
