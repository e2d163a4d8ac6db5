import { describe, expect, it } from 'vitest';
import { createEasyAuth, parseCookies, sameOriginPath, sessionCookieName } from '../../../local/host/easy-auth.js';

const signIn = (auth: ReturnType<typeof createEasyAuth>, query: string) => {
  const response = auth.handle(new URL(`http://localhost/.auth/login/dev?${query}`), undefined);
  const setCookie = (response?.headers['set-cookie'] as string[] | undefined)?.[0] ?? '';
  return { response, setCookie, cookieHeader: setCookie.split(';')[0] };
};
const decodePrincipal = (header: string | undefined) =>
  JSON.parse(Buffer.from(header ?? '', 'base64').toString('utf8'));

describe('easy auth emulation', () => {
  it('signs in with an HttpOnly SameSite=Lax session cookie and redirects to a same-origin path', () => {
    const { response, setCookie } = signIn(
      createEasyAuth(),
      'userId=alice&roles=moderator,x&post_login_redirect_uri=/moderator',
    );
    expect(response?.status).toBe(302);
    expect(response?.headers.location).toBe('/moderator');
    expect(setCookie).toMatch(new RegExp(`^${sessionCookieName}=[^;]+; Path=/; HttpOnly; SameSite=Lax`));
  });

  it('turns a session into the headers App Service adds', () => {
    const auth = createEasyAuth();
    const { cookieHeader } = signIn(auth, 'userId=alice&roles=moderator, x');
    const headers = auth.principalHeaders(`theme=dark; ${cookieHeader}`);
    expect(headers).toMatchObject({
      'x-ms-client-principal-id': 'alice',
      'x-ms-client-principal-name': 'alice',
      'x-ms-client-principal-idp': 'dev',
    });
    expect(decodePrincipal(headers['x-ms-client-principal'])).toEqual({
      auth_typ: 'dev',
      name_typ: 'name',
      role_typ: 'roles',
      claims: [
        { typ: 'name', val: 'alice' },
        { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: 'alice' },
        { typ: 'roles', val: 'moderator' },
        { typ: 'roles', val: 'x' },
      ],
    });
  });

  it('rejects tampered, foreign and expired cookies', () => {
    const auth = createEasyAuth();
    const { cookieHeader = '' } = signIn(auth, 'userId=alice');
    const [name, value = ''] = cookieHeader.split('=');
    const [payload, signature] = value.split('.');
    const forged = Buffer.from(JSON.stringify({ userId: 'mallory', roles: ['moderator'], expiresAt: 9e9 })).toString(
      'base64url',
    );
    expect(auth.principalHeaders(`${name}=${forged}.${signature}`)).toEqual({});
    expect(auth.principalHeaders(`${name}=${payload}`)).toEqual({});
    expect(createEasyAuth().principalHeaders(cookieHeader)).toEqual({});
    const shortLived = createEasyAuth({ sessionLifetimeSeconds: -1 });
    expect(shortLived.principalHeaders(signIn(shortLived, 'userId=alice').cookieHeader)).toEqual({});
  });

  it('answers /.auth/me and /.auth/logout', () => {
    const auth = createEasyAuth();
    const { cookieHeader } = signIn(auth, 'userId=bob');
    const me = auth.handle(new URL('http://localhost/.auth/me'), cookieHeader);
    expect(me?.status).toBe(200);
    expect(JSON.parse(String(me?.body))).toEqual([
      {
        provider_name: 'dev',
        user_id: 'bob',
        user_claims: [
          { typ: 'name', val: 'bob' },
          { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: 'bob' },
        ],
      },
    ]);
    expect(auth.handle(new URL('http://localhost/.auth/me'), undefined)?.status).toBe(401);
    const logout = auth.handle(new URL('http://localhost/.auth/logout'), cookieHeader);
    expect(logout).toMatchObject({ status: 302, headers: { location: '/' } });
    expect(String(logout?.headers['set-cookie'])).toContain('Max-Age=0');
    expect(auth.handle(new URL('http://localhost/api/x'), cookieHeader)).toBeUndefined();
    expect(auth.handle(new URL('http://localhost/.auth/login/aad'), cookieHeader)?.status).toBe(404);
  });

  it('requires a userId', () => {
    expect(signIn(createEasyAuth(), 'roles=moderator').response?.status).toBe(400);
  });
});

describe('sameOriginPath', () => {
  it.each([
    ['/', '/'],
    ['/moderator?room=a', '/moderator?room=a'],
    ['http://localhost/moderator#queue', '/moderator#queue'],
    ['//evil.example/', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['http://localhost:8080/', '/'],
    // Browsers drop tabs and new lines from URLs: these were '//evil.invalid' by the time a browser followed them.
    ['/\t/evil.invalid', '/'],
    ['/\n/evil.invalid', '/'],
    ['\t//evil.invalid', '/'],
    ['/.//evil.invalid', '/evil.invalid'],
    ['/a\r\nSet-Cookie: x=1', '/aSet-Cookie:%20x=1'],
    ['javascript:alert(1)', '/'],
    [null, '/'],
  ])('%j → %s', (candidate, expected) => {
    expect(sameOriginPath(candidate, 'http://localhost')).toBe(expected);
  });

  it('sends the sign-in of the issue (post_login_redirect_uri=%2F%09%2Fevil.invalid) to this origin', () => {
    const { response } = signIn(createEasyAuth(), 'userId=eve&post_login_redirect_uri=%2F%09%2Fevil.invalid');
    const location = String(response?.headers.location);
    expect(new URL(location, 'http://localhost').origin).toBe('http://localhost');
    expect(location).toBe('/');
  });
});

describe('parseCookies', () => {
  it('splits a Cookie header and keeps = inside values', () => {
    expect(parseCookies('a=1; b=x=y;c')).toEqual({ a: '1', b: 'x=y' });
    expect(parseCookies(undefined)).toEqual({});
  });
});
