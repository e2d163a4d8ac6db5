import { randomUUID } from 'node:crypto';
import { ForbiddenError, UnauthorizedError } from '../src/errors.js';
import { readPrincipal } from '../src/http/principal.js';
import { registerHttpFunction, withApp } from '../src/http/register.js';
import { json } from '../src/http/responses.js';
import { negotiate } from '../src/workflows/negotiate.js';
import { clientAccessUrl } from '../src/workflows/steps.js';

/** `GET|POST /api/negotiate` → `{ url, userId, expiresAt }`: a client URL with no roles, so every message is moderated. */
export const negotiateFunction = registerHttpFunction('negotiate', {
  route: 'negotiate',
  methods: ['GET', 'POST', 'OPTIONS'],
  authLevel: 'anonymous',
  handler: withApp(async (request, _context, app) => {
    const { settings } = app;
    const principal = readPrincipal(request.headers, settings);
    if (!principal && !settings.allowAnonymous) throw new UnauthorizedError('Sign in to chat.');
    const userId = principal?.userId ?? `guest-${randomUUID().slice(0, 8)}`;
    // The connect event refuses banned users too; answering here lets the page say why.
    const ban = principal ? await app.store.getBan(userId, app.now()) : undefined;
    if (ban) throw new ForbiddenError(`You are banned until ${ban.until.toISOString()}: ${ban.reason}`, 'Banned');
    const { token } = await negotiate(app.clients.webPubSub, { userId, minutesToExpire: settings.clientTokenMinutes });
    const { clientEndpoint, endpoint, hub } = settings.webPubSub;
    const expiresAt = new Date(app.now().getTime() + settings.clientTokenMinutes * 60_000).toISOString();
    return json(200, { url: clientAccessUrl(clientEndpoint ?? endpoint, hub, token), userId, expiresAt });
  }),
});
