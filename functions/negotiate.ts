import { randomUUID } from 'node:crypto';
import { UnauthorizedError } from '../src/errors.js';
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
    const { token } = await negotiate(app.clients.webPubSub, { userId, minutesToExpire: settings.clientTokenMinutes });
    const { clientEndpoint, endpoint, hub } = settings.webPubSub;
    const expiresAt = new Date(app.now().getTime() + settings.clientTokenMinutes * 60_000).toISOString();
    return json(200, { url: clientAccessUrl(clientEndpoint ?? endpoint, hub, token), userId, expiresAt });
  }),
});
