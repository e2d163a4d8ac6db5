import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type HostResponse, jsonResponse } from './host-response.js';

/**
 * App Service Authentication ("Easy Auth") as the app sees it behind the platform, with a `dev` provider that signs in
 * whoever asks: `/.auth/login/dev?userId=…&roles=…`, `/.auth/me`, `/.auth/logout`, and the `x-ms-client-principal*`
 * headers on function requests.
 */
export interface EasyAuth {
  /** Answers `/.auth/*` requests; `undefined` for any other path. */
  handle(url: URL, cookieHeader: string | undefined): HostResponse | undefined;
  /** The headers the platform adds for a signed-in session, or none. */
  principalHeaders(cookieHeader: string | undefined): Record<string, string>;
}

export interface DevSession {
  userId: string;
  roles: string[];
  /** Epoch seconds. */
  expiresAt: number;
}

export interface EasyAuthOptions {
  /**
   * HMAC key for session cookies. App Service keeps one per app (`WEBSITE_AUTH_ENCRYPTION_KEY`), so every instance
   * honours a session another signed; without it, a random one per host, so restarting the host signs everyone out.
   */
  secret?: Buffer;
  sessionLifetimeSeconds?: number;
}

export const sessionCookieName = 'AppServiceAuthSession';
export const principalHeaderPrefix = 'x-ms-client-principal';
const objectIdClaimType = 'http://schemas.microsoft.com/identity/claims/objectidentifier';
const defaultSessionLifetimeSeconds = 8 * 60 * 60;
/** What a request without a session carries: nothing (one object for all of them). */
const noPrincipal: Readonly<Record<string, string>> = Object.freeze({});

export function createEasyAuth(options: EasyAuthOptions = {}): EasyAuth {
  const secret = options.secret ?? randomBytes(32);
  const lifetime = options.sessionLifetimeSeconds ?? defaultSessionLifetimeSeconds;
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest();

  const readSession = (cookieHeader: string | undefined): DevSession | undefined => {
    const [payload, signature] = (parseCookies(cookieHeader)[sessionCookieName] ?? '').split('.');
    if (!payload || !signature) return undefined;
    const expected = sign(payload);
    const received = Buffer.from(signature, 'base64url');
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) return undefined;
    const session = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as DevSession;
    return session.expiresAt > Date.now() / 1000 ? session : undefined;
  };

  const login = (url: URL): HostResponse => {
    const userId = url.searchParams.get('userId')?.trim();
    if (!userId) return jsonResponse(400, { code: 'BadRequest', message: 'The userId query parameter is required.' });
    const roles = (url.searchParams.get('roles') ?? '')
      .split(',')
      .map((role) => role.trim())
      .filter(Boolean);
    const session: DevSession = { userId, roles, expiresAt: Math.floor(Date.now() / 1000) + lifetime };
    const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
    const cookie = `${payload}.${sign(payload).toString('base64url')}`;
    return redirect(sameOriginPath(url.searchParams.get('post_login_redirect_uri'), url.origin), [
      `${sessionCookieName}=${cookie}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${lifetime}`,
    ]);
  };

  return {
    handle(url, cookieHeader) {
      switch (url.pathname) {
        case '/.auth/login/dev':
          return login(url);
        case '/.auth/me': {
          const session = readSession(cookieHeader);
          if (!session) return jsonResponse(401, { code: 'Unauthorized', message: 'Not signed in.' });
          const user_claims = principalClaims(session).map(({ typ, val }) => ({ typ, val }));
          return jsonResponse(200, [{ provider_name: 'dev', user_id: session.userId, user_claims }]);
        }
        case '/.auth/logout':
          return redirect(sameOriginPath(url.searchParams.get('post_logout_redirect_uri'), url.origin), [
            `${sessionCookieName}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
          ]);
        default:
          return url.pathname.startsWith('/.auth/')
            ? jsonResponse(404, { code: 'NotFound', message: `Unknown auth endpoint ${url.pathname}.` })
            : undefined;
      }
    },
    principalHeaders(cookieHeader) {
      const session = cookieHeader ? readSession(cookieHeader) : undefined;
      return session ? principalHeadersFor(session) : noPrincipal;
    },
  };
}

export function principalHeadersFor(session: DevSession): Record<string, string> {
  const principal = { auth_typ: 'dev', name_typ: 'name', role_typ: 'roles', claims: principalClaims(session) };
  return {
    [principalHeaderPrefix]: Buffer.from(JSON.stringify(principal)).toString('base64'),
    [`${principalHeaderPrefix}-id`]: session.userId,
    [`${principalHeaderPrefix}-name`]: session.userId,
    [`${principalHeaderPrefix}-idp`]: 'dev',
  };
}

function principalClaims(session: DevSession): { typ: string; val: string }[] {
  return [
    { typ: 'name', val: session.userId },
    { typ: objectIdClaimType, val: session.userId },
    ...session.roles.map((role) => ({ typ: 'roles', val: role })),
  ];
}

/**
 * Where a sign-in may send the browser back to: a URL that resolves to this origin, as App Service allows (relative,
 * or absolute on the app's own host), else `/`. Parsed as a browser parses it, so what browsers drop or rewrite
 * (tabs and new lines, `\` for `/`) cannot turn `/<TAB>/evil.example` into the protocol-relative `//evil.example`.
 * The answer is the parsed path, so a path that itself begins `//` (`/.//evil.example`) is made single-slashed.
 */
export function sameOriginPath(candidate: string | null, origin: string): string {
  if (!candidate) return '/';
  let target: URL;
  try {
    target = new URL(candidate, origin);
  } catch {
    return '/';
  }
  if (target.origin !== origin) return '/';
  return `/${target.pathname.replace(/^\/+/, '')}${target.search}${target.hash}`;
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const pair of (header ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0) cookies[pair.slice(0, separator).trim()] = pair.slice(separator + 1).trim();
  }
  return cookies;
}

function redirect(location: string, setCookie: string[]): HostResponse {
  return { status: 302, headers: { location, 'set-cookie': setCookie, 'cache-control': 'no-store' } };
}
