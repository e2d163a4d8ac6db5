import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForbiddenError, UnauthorizedError } from '../../../src/errors.js';
import { UpstreamAuthenticator } from '../../../src/events/authenticate.js';
import { parseCloudEvent } from '../../../src/events/cloud-event.js';
import { cloudEventHeaders } from '../support/factories.js';

const keys = ['primary-key', 'secondary-key'];
const sign = (key: string, connectionId: string) =>
  `sha256=${createHmac('sha256', key).update(connectionId).digest('hex')}`;
const authenticator = new UpstreamAuthenticator({
  allowedOrigins: ['chat.webpubsub.azure.com'],
  token: undefined,
  accessKeys: keys,
});

describe('UpstreamAuthenticator signatures', () => {
  it('accepts a signature by either key, in any case', async () => {
    for (const signature of [
      sign(keys[0] ?? '', 'conn-1'),
      `sha256=ab,${sign(keys[1] ?? '', 'conn-1').toUpperCase()}`,
    ]) {
      const event = parseCloudEvent(cloudEventHeaders({ 'ce-signature': signature }));
      await expect(authenticator.authenticate(null, event, new Date())).resolves.toBeUndefined();
    }
  });

  it('rejects missing, forged and replayed-for-another-connection signatures', async () => {
    for (const signature of [undefined, sign('guess', 'conn-1'), sign(keys[0] ?? '', 'conn-2')]) {
      const event = parseCloudEvent(cloudEventHeaders({ 'ce-signature': signature }));
      await expect(authenticator.authenticate(null, event, new Date())).rejects.toThrow(UnauthorizedError);
    }
  });

  it('rejects stale events', async () => {
    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    const event = parseCloudEvent(cloudEventHeaders({ 'ce-signature': sign(keys[0] ?? '', 'conn-1'), 'ce-time': old }));
    await expect(authenticator.authenticate(null, event, new Date())).rejects.toThrow(/stale/);
  });
});

describe('UpstreamAuthenticator abuse protection', () => {
  it('allows only the configured Web PubSub hosts', () => {
    expect(authenticator.allowedOrigin('chat.webpubsub.azure.com')).toBe('chat.webpubsub.azure.com');
    expect(() => authenticator.allowedOrigin('evil.example.com')).toThrow(ForbiddenError);
    expect(() => authenticator.allowedOrigin(null)).toThrow(ForbiddenError);
  });
});

describe('UpstreamAuthenticator bearer tokens', () => {
  const issuer = 'https://issuer.example/tenant/v2.0';
  const audience = 'api://moderator';
  const principalId = 'web-pubsub-identity';
  let server: Server;
  let jwksRequests = 0;
  let privateKey: CryptoKey;
  let authenticator: UpstreamAuthenticator;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_request, response) => {
      jwksRequests++;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    authenticator = new UpstreamAuthenticator({
      allowedOrigins: [],
      accessKeys: [],
      token: { issuer, audience, principalId, jwksUri: `http://127.0.0.1:${port}/keys` },
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const sign = (claims: Record<string, unknown>, expiresAt: number) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(expiresAt - 3600)
      .setExpirationTime(expiresAt)
      .sign(privateKey);
  const event = parseCloudEvent(cloudEventHeaders());

  it('accepts the Web PubSub identity, and checks a token it has verified again only for expiry', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const token = await sign({ oid: principalId }, nowSeconds + 600);
    const check = (at: Date) => authenticator.authenticate(`Bearer ${token}`, event, at);
    await expect(check(new Date())).resolves.toBeUndefined();
    await expect(check(new Date())).resolves.toBeUndefined();
    expect(jwksRequests).toBe(1);
    // Past its expiry (and the 5-minute tolerance) the remembered token is verified again, and refused.
    const later = new Date((nowSeconds + 600 + 301) * 1000);
    const staleEvent = parseCloudEvent(cloudEventHeaders({ 'ce-time': later.toISOString() }));
    await expect(authenticator.authenticate(`Bearer ${token}`, staleEvent, later)).rejects.toThrow(/not valid/);
  });

  it('matches a remembered header whole: one changed character of its signature is verified anew, and refused', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const token = await sign({ oid: principalId }, nowSeconds + 600);
    await expect(authenticator.authenticate(`Bearer ${token}`, event, new Date())).resolves.toBeUndefined();
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const altered = `${token.slice(0, -2)}${last}${token.slice(-1)}`;
    expect(altered).toHaveLength(token.length);
    await expect(authenticator.authenticate(`Bearer ${altered}`, event, new Date())).rejects.toThrow(/not valid/);
    await expect(authenticator.authenticate(`Bearer ${token}`, event, new Date())).resolves.toBeUndefined();
  });

  it('refuses a genuine token of the Web PubSub identity that has no exp', async () => {
    const token = await new SignJWT({ oid: principalId })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .sign(privateKey);
    await expect(authenticator.authenticate(`Bearer ${token}`, event, new Date())).rejects.toThrow(/not valid/);
  });

  it('refuses another principal, a tampered token and no token', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const other = await sign({ oid: 'someone-else' }, nowSeconds + 600);
    await expect(authenticator.authenticate(`Bearer ${other}`, event, new Date())).rejects.toThrow(
      /Web PubSub identity/,
    );
    const genuine = await sign({ oid: principalId }, nowSeconds + 600);
    const [head, , signature] = genuine.split('.');
    const forgedBody = Buffer.from(
      JSON.stringify({ oid: principalId, iss: issuer, aud: audience, exp: nowSeconds + 9_999 }),
    ).toString('base64url');
    await expect(
      authenticator.authenticate(`Bearer ${head}.${forgedBody}.${signature}`, event, new Date()),
    ).rejects.toThrow(UnauthorizedError);
    await expect(authenticator.authenticate(null, event, new Date())).rejects.toThrow(/bearer token is required/);
  });

  it('remembers at most 64 verified tokens, by digest, the oldest forgotten first', async () => {
    const fresh = new UpstreamAuthenticator({
      allowedOrigins: [],
      accessKeys: [],
      token: {
        issuer,
        audience,
        principalId,
        jwksUri: (authenticator as unknown as { settings: { token: { jwksUri: string } } }).settings.token.jwksUri,
      },
    });
    const nowSeconds = Math.floor(Date.now() / 1000);
    const tokens = await Promise.all(
      Array.from({ length: 70 }, (_, i) => sign({ oid: principalId, n: i }, nowSeconds + 600)),
    );
    for (const token of tokens) await fresh.authenticate(`Bearer ${token}`, event, new Date());
    const remembered = (fresh as unknown as { verified: Map<string, number> }).verified;
    expect(remembered.size).toBe(64);
    expect([...remembered.keys()].every((key) => !tokens.some((token) => token.includes(key)))).toBe(true);
    expect([...remembered.keys()].every((key) => key.length === 44)).toBe(true);
  });

  it('calls a token that was sent but is not a JWT invalid, and an absent one missing', async () => {
    const codeOf = (authorization: string | null) =>
      authenticator.authenticate(authorization, event, new Date()).then(
        () => 'accepted',
        (error: UnauthorizedError) => error.code,
      );
    expect(await codeOf('Bearer junk')).toBe('InvalidToken');
    expect(await codeOf('Bearer a.b')).toBe('InvalidToken');
    expect(await codeOf(null)).toBe('MissingToken');
    expect(await codeOf('Bearer ')).toBe('MissingToken');
    expect(await codeOf('Basic dXNlcjpwYXNz')).toBe('MissingToken');
  });
});
