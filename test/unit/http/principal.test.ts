import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningIdentityEndpoint, startIdentityEndpoint } from '../../../local/identity/server.js';
import { ForbiddenError, UnauthorizedError } from '../../../src/errors.js';
import { PrincipalReader, parseClientPrincipal, requireRole } from '../../../src/http/principal.js';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');
const entraPrincipal = encode({
  auth_typ: 'aad',
  name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
  claims: [
    { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: 'oid-1' },
    { typ: 'name', val: 'Alice' },
    { typ: 'roles', val: 'moderator' },
    { typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', val: 'moderator' },
  ],
});

describe('parseClientPrincipal', () => {
  it('reads the user id, name and deduplicated roles of an Entra principal', () => {
    expect(parseClientPrincipal(entraPrincipal, null)).toEqual({
      userId: 'oid-1',
      name: 'Alice',
      roles: ['moderator'],
    });
  });

  it('prefers x-ms-client-principal-id for the user id', () => {
    expect(parseClientPrincipal(entraPrincipal, 'from-header')?.userId).toBe('from-header');
  });

  it('is undefined without a header and 401 for a malformed one', () => {
    expect(parseClientPrincipal(null, null)).toBeUndefined();
    expect(() => parseClientPrincipal('%%%', null)).toThrow(UnauthorizedError);
    expect(() => parseClientPrincipal(encode({ claims: 'no' }), null)).toThrow(UnauthorizedError);
    expect(() => parseClientPrincipal(encode({ claims: [] }), null)).toThrow(/no user id/);
  });
});

describe('PrincipalReader', () => {
  it('ignores the header where the platform authentication is off (it could be spoofed)', async () => {
    const headers = new Headers({ 'x-ms-client-principal': entraPrincipal });
    const off = new PrincipalReader({ platformAuthEnabled: false, apiToken: undefined });
    const on = new PrincipalReader({ platformAuthEnabled: true, apiToken: undefined });
    expect(await off.read(headers)).toBeUndefined();
    expect((await on.read(headers))?.userId).toBe('oid-1');
  });

  describe('with an Entra ID bearer token for the API (a moderator with az account get-access-token)', () => {
    const api = 'api://moderator-api';
    let identity: RunningIdentityEndpoint;
    let reader: PrincipalReader;
    const userToken = async (query: Record<string, string>) => {
      const url = new URL(identity.userTokenEndpoint);
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
      const response = await fetch(url, { headers: { 'X-IDENTITY-HEADER': identity.header } });
      return ((await response.json()) as { accessToken: string }).accessToken;
    };
    const bearer = (token: string, extra: Record<string, string> = {}) =>
      new Headers({ authorization: `Bearer ${token}`, ...extra });

    beforeAll(async () => {
      identity = await startIdentityEndpoint({
        identities: { app: { principalId: 'app-oid' } },
        defaultClientId: 'app',
      });
      // The platform's authentication is off: only the token's signature can make a moderator.
      reader = new PrincipalReader({
        platformAuthEnabled: false,
        apiToken: { issuers: [identity.issuer], audiences: [api], jwksUri: identity.jwksUri },
      });
    });
    afterAll(() => identity.close());

    it('reads the user and the roles claim of a genuine token', async () => {
      const token = await userToken({ resource: api, userId: 'mod-1', roles: 'moderator,other' });
      expect(await reader.read(bearer(token))).toEqual({
        userId: 'mod-1',
        name: 'mod-1',
        roles: ['moderator', 'other'],
      });
      const chatter = await userToken({ resource: api, userId: 'chat-1' });
      expect((await reader.read(bearer(chatter)))?.roles).toEqual([]);
    });

    it('prefers the token to a principal header, and refuses a forged, foreign or expired one', async () => {
      const forgedHeader = { 'x-ms-client-principal': entraPrincipal };
      const token = await userToken({ resource: api, userId: 'mod-1', roles: 'moderator' });
      expect((await reader.read(bearer(token, forgedHeader)))?.userId).toBe('mod-1');
      const wrongAudience = await userToken({ resource: 'api://someone-else', userId: 'mod-1', roles: 'moderator' });
      await expect(reader.read(bearer(wrongAudience))).rejects.toThrow(UnauthorizedError);
      const { privateKey } = await generateKeyPair('RS256');
      const now = Math.floor(Date.now() / 1000);
      const sign = (claims: Record<string, unknown>) =>
        new SignJWT({ oid: 'mallory', roles: ['moderator'], ...claims })
          .setProtectedHeader({ alg: 'RS256', kid: identity.jwksUri })
          .setIssuer(identity.issuer)
          .setAudience(api)
          .sign(privateKey);
      await expect(reader.read(bearer(await sign({ exp: now + 600 })))).rejects.toThrow(/not valid/);
      const [header, , signature] = token.split('.');
      const altered = Buffer.from(JSON.stringify({ oid: 'mallory', roles: ['moderator'], aud: api })).toString(
        'base64url',
      );
      await expect(reader.read(bearer(`${header}.${altered}.${signature}`))).rejects.toThrow(/not valid/);
      await expect(reader.read(bearer('not-a-jwt'))).rejects.toThrow(/not valid/);
    });
  });
});

describe('requireRole', () => {
  it('is 401 for nobody, 403 without the role', () => {
    expect(() => requireRole(undefined, 'moderator')).toThrow(UnauthorizedError);
    expect(() => requireRole({ userId: 'u', name: 'u', roles: [] }, 'moderator')).toThrow(ForbiddenError);
    expect(requireRole({ userId: 'u', name: 'u', roles: ['moderator'] }, 'moderator').userId).toBe('u');
  });
});
