import functions from '@azure/functions';
import { beforeAll, describe, expect, inject, it } from 'vitest';

/**
 * The registered function handlers called in this process, as the Functions worker calls them, with settings a
 * test can choose (the shared host's are fixed): guests allowed, CORS for one origin, platform auth off.
 */
const stack = inject('stack');
const allowedOrigin = 'https://chat.example.com';

beforeAll(() => {
  Object.assign(process.env, {
    IDENTITY_ENDPOINT: stack.identityEndpoint,
    IDENTITY_HEADER: stack.identityHeader,
    WEBPUBSUB_ENDPOINT: stack.emulatorHttpsUrl,
    WEBPUBSUB_CLIENT_ENDPOINT: stack.emulatorHttpUrl,
    WEBPUBSUB_HUB: 'chat',
    TABLES_CONNECTION_STRING: stack.tablesConnectionString,
    WEBPUBSUB_ACCESS_KEYS: stack.accessKey,
    ALLOW_ANONYMOUS: 'true',
    CORS_ORIGINS: allowedOrigin,
    WEBSITE_AUTH_ENABLED: 'false',
  });
});

async function call(name: string, init: { method: string; url: string; headers?: Record<string, string> }) {
  const { functionDefinitions } = await import('../../functions/index.js');
  const definition = functionDefinitions.find((fn) => fn.name === name);
  if (!definition) throw new Error(`no function ${name}`);
  const request = new functions.HttpRequest({ method: init.method, url: init.url, headers: init.headers ?? {} });
  const context = new functions.InvocationContext({ functionName: name });
  return definition.options.handler(request, context) as Promise<functions.HttpResponseInit>;
}

describe('negotiate with guests allowed and platform authentication off', () => {
  it('gives an anonymous caller a generated guest id and ignores a spoofed principal', async () => {
    const spoofed = Buffer.from(JSON.stringify({ claims: [{ typ: 'oid', val: 'admin' }] })).toString('base64');
    const response = await call('negotiate', {
      method: 'GET',
      url: 'http://localhost/api/negotiate',
      headers: { 'x-ms-client-principal': spoofed },
    });
    expect(response.status).toBe(200);
    const body = response.jsonBody as { userId: string; url: string };
    expect(body.userId).toMatch(/^guest-[0-9a-f]{8}$/);
    expect(body.url).toMatch(
      new RegExp(`^${stack.emulatorHttpUrl.replace('http', 'ws')}/client/hubs/chat\\?access_token=`),
    );
  });

  it('answers CORS preflights and responses for the configured origin only', async () => {
    const preflight = await call('negotiate', {
      method: 'OPTIONS',
      url: 'http://localhost/api/negotiate',
      headers: { origin: allowedOrigin, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({ 'access-control-allow-origin': allowedOrigin });
    // Every method the pages use, PUT of a room's settings included.
    const headers = preflight.headers as Record<string, string>;
    expect(String(headers['access-control-allow-methods']).split(', ')).toEqual(
      expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE']),
    );
    const other = await call('negotiate', {
      method: 'GET',
      url: 'http://localhost/api/negotiate',
      headers: { origin: 'https://evil.example.com' },
    });
    expect(other.status).toBe(200);
    expect(other.headers).not.toHaveProperty('access-control-allow-origin');
    const foreignPreflight = await call('negotiate', {
      method: 'OPTIONS',
      url: 'http://localhost/api/negotiate',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(foreignPreflight.headers).not.toHaveProperty('access-control-allow-origin');
    // Answered as the platform's CORS answers a foreign preflight: 204 without CORS headers, even where the real call
    // needs a signed-in moderator (it was 401 before, which a browser reports as a network error all the same).
    expect(foreignPreflight.status).toBe(204);
    const moderatorPreflight = await call('moderateAudit', {
      method: 'OPTIONS',
      url: 'http://localhost/api/moderate/audit',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'DELETE' },
    });
    expect(moderatorPreflight.status).toBe(204);
    expect(moderatorPreflight.headers).not.toHaveProperty('access-control-allow-origin');
  });
});
