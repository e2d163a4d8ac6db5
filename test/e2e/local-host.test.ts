import { fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostMessage } from '../../local/host/main.js';
import { type RunningFunctionsHost, startFunctionsHost } from '../../local/host/server.js';
import { functionDefinitions } from '../unit/local/fixtures/sample-functions.js';

describe('local Functions host', () => {
  let host: RunningFunctionsHost;
  let webRoot: string;
  const logs: string[] = [];

  beforeAll(async () => {
    webRoot = await mkdtemp(join(tmpdir(), 'host-web-'));
    await writeFile(join(webRoot, 'index.html'), '<h1>chat</h1>');
    await writeFile(join(webRoot, 'moderator.html'), '<h1>moderator</h1>');
    host = await startFunctionsHost({ definitions: functionDefinitions, webRoot, log: (line) => logs.push(line) });
  });
  afterAll(async () => {
    await host.close();
    await rm(webRoot, { recursive: true, force: true });
  });

  const signIn = async (query: string) => {
    const response = await fetch(`${host.url}/.auth/login/dev?${query}`, { redirect: 'manual' });
    return { response, cookie: response.headers.getSetCookie()[0]?.split(';')[0] ?? '' };
  };

  it('routes to the handler with params, repeated query values, the raw body and its context log', async () => {
    const response = await fetch(`${host.url}/api/echo/42/a/b%20c?x=1&x=2`, { method: 'PUT', body: 'hello' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({
      method: 'PUT',
      url: `${host.url}/api/echo/42/a/b%20c?x=1&x=2`,
      params: { id: '42', rest: 'a/b c' },
      query: [
        ['x', '1'],
        ['x', '2'],
      ],
      body: 'hello',
    });
    expect(logs.some((line) => line.includes('[echo] information: echoing 42'))).toBe(true);
  });

  it("hands the handler the library's own HttpRequest and InvocationContext, as the Node worker does", async () => {
    const { port } = new URL(host.url);
    // A repeated header reaches the worker once, its values joined with ", " (the host forwards one value a name);
    // the body's bytes as sent (U+00FF is two bytes in UTF-8).
    const post = await rawExchange<Record<string, unknown>>([
      `POST /api/invocation HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\nAccept: text/plain\r\n` +
        'Accept: application/json\r\nContent-Type: application/octet-stream\r\nContent-Length: 4\r\n\r\n\u0000\u00ff\u0001',
    ]);
    expect(post).toMatchObject({
      libraryRequest: true,
      libraryContext: true,
      functionName: 'invocation',
      trigger: 'httpTrigger',
      accept: 'text/plain, application/json',
      bytes: [0, 0xc3, 0xbf, 1],
    });
    expect(post.invocationId).toMatch(/^[0-9a-f-]{36}$/);
    // A GET carries no body to the function, whatever the client sent.
    const get = await rawExchange<Record<string, unknown>>([
      `GET /api/invocation HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi`,
    ]);
    expect(get).toMatchObject({ bytes: [] });
    expect(get.invocationId).not.toBe(post.invocationId);
  });

  /** Sends a raw request in pieces 30 ms apart; the JSON body of the reply (each says `Connection: close`). */
  const rawExchange = <T>(pieces: string[]) =>
    new Promise<T>((resolve, reject) => {
      const socket = connect(Number(new URL(host.url).port), '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk;
      });
      socket.on('end', () => resolve(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))));
      socket.on('error', reject);
      const writeNext = (index: number) => {
        if (index === pieces.length) return;
        socket.write(pieces[index] as string);
        setTimeout(writeNext, 30, index + 1);
      };
      writeNext(0);
    });

  it('reads a body whole whether it arrived with its headers or trickles in after them', async () => {
    const { port } = new URL(host.url);
    const send = (pieces: string[]) => rawExchange<{ body: string }>(pieces);
    const head = (framing: string) =>
      `POST /api/echo/1/x HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${framing}\r\n\r\n`;
    expect(await send([`${head('Content-Length: 11')}hello world`])).toMatchObject({ body: 'hello world' });
    expect(await send([head('Content-Length: 11'), 'hello', ' world'])).toMatchObject({ body: 'hello world' });
    expect(
      await send([head('Transfer-Encoding: chunked'), '5\r\nhello\r\n', '6\r\n world\r\n', '0\r\n\r\n']),
    ).toMatchObject({ body: 'hello world' });
  });

  it('answers a body over the Functions host limit 413 before reading it, and closes the connection', async () => {
    const { port } = new URL(host.url);
    // "The HTTP request length is limited to 100 MB (104,857,600 bytes)":
    // https://learn.microsoft.com/azure/azure-functions/functions-bindings-http-webhook-trigger#limits
    const declared = `POST /api/echo/1/x HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 104857601\r\n\r\n`;
    expect(await rawExchange([declared, 'x'.repeat(1_000)])).toMatchObject({ code: 'PayloadTooLarge' });
  });

  it('stops reading a chunked body once it passes the limit (a 400 MB upload took the host to 891 MB)', async () => {
    const small = await startFunctionsHost({ definitions: functionDefinitions, webRoot, maxRequestBodyBytes: 4_096 });
    try {
      let sent = 0;
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          sent += 1_024;
          if (sent > 64 * 1_024 * 1_024) controller.close();
          else controller.enqueue(new Uint8Array(1_024).fill(97));
        },
      });
      const response = await fetch(`${small.url}/api/echo/1/x`, {
        method: 'POST',
        body: endless,
        duplex: 'half',
      } as RequestInit);
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ code: 'PayloadTooLarge' });
      expect(sent).toBeLessThan(64 * 1_024 * 1_024);
      const fits = await fetch(`${small.url}/api/echo/1/x`, { method: 'POST', body: 'y'.repeat(4_096) });
      expect(await fits.json()).toMatchObject({ body: 'y'.repeat(4_096) });
    } finally {
      await small.close();
    }
  });

  it('routes a repeated request target as the first time: own params, the Host of each request in its URL', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(await (await fetch(`${host.url}/api/scribble/7`)).json()).toEqual({ id: '7' });
    }
    const echoWithHost = (hostHeader: string) =>
      new Promise<{ url: string; params: unknown }>((resolve, reject) => {
        const request = httpRequest(
          `${host.url}/api/echo/1/x`,
          { method: 'POST', headers: { host: hostHeader } },
          (response) => {
            let text = '';
            response.on('data', (chunk) => {
              text += chunk;
            });
            response.on('end', () => resolve(JSON.parse(text)));
          },
        );
        request.once('error', reject);
        request.end('');
      });
    expect(await echoWithHost('one.example:7071')).toMatchObject({
      url: 'http://one.example:7071/api/echo/1/x',
      params: { id: '1', rest: 'x' },
    });
    expect(await echoWithHost('two.example:7071')).toMatchObject({ url: 'http://two.example:7071/api/echo/1/x' });
    expect(await echoWithHost('one.example:7071')).toMatchObject({ url: 'http://one.example:7071/api/echo/1/x' });
  });

  it('forwards headers by lower-case name, a repeated one as Node reads it, never a client-supplied principal', async () => {
    const { port } = new URL(host.url);
    const raw = (headerLines: string[]) =>
      rawExchange<{ headers: Record<string, string>; principalId: string | null }>([
        [
          'POST /api/echo/1/x HTTP/1.1',
          `Host: 127.0.0.1:${port}`,
          ...headerLines,
          'Connection: close',
          'Content-Length: 2',
        ]
          .concat('', 'hi')
          .join('\r\n'),
      ]);
    const single = await raw([
      'X-Trace-Id: abc',
      'CE-Type: azure.webpubsub.user.chat',
      'X-MS-CLIENT-PRINCIPAL-ID: mallory',
    ]);
    expect(single.headers).toMatchObject({ 'x-trace-id': 'abc', 'ce-type': 'azure.webpubsub.user.chat' });
    expect(single.principalId).toBeNull();
    expect(Object.keys(single.headers).every((name) => name === name.toLowerCase())).toBe(true);

    const repeated = await raw([
      'X-Trace-Id: abc',
      'x-trace-id: def',
      'Authorization: Bearer first',
      'authorization: Bearer second',
      'X-MS-CLIENT-PRINCIPAL-ID: mallory',
    ]);
    // Node's rules: most repeated headers are joined, a few (authorization among them) are kept once.
    expect(repeated.headers).toMatchObject({ 'x-trace-id': 'abc, def', authorization: 'Bearer first' });
    expect(repeated.principalId).toBeNull();
  });

  it('answers 404 and 405 like func start', async () => {
    const unknown = await fetch(`${host.url}/api/nowhere`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'NotFound' });
    const wrongMethod = await fetch(`${host.url}/api/moderate/bans/alice`, { method: 'POST' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, DELETE');
    expect(await (await fetch(`${host.url}/api/moderate/bans/alice`, { method: 'DELETE' })).text()).toBe('user alice');
    expect(await (await fetch(`${host.url}/api/rooms`)).json()).toEqual({ name: null });
    expect(await (await fetch(`${host.url}/api/health`)).text()).toBe('ok');
  });

  it('writes HttpResponse status, headers, cookies and bytes, streams, and empty bodies', async () => {
    const cookies = await fetch(`${host.url}/api/cookies`);
    expect(cookies.status).toBe(201);
    expect(cookies.headers.get('x-custom')).toBe('yes');
    // As ASP.NET Core's SetCookieHeaderValue writes the cookies the worker returns: lower-case attributes, in its order
    // (dotnet/aspnetcore src/Http/Headers/src/SetCookieHeaderValue.cs).
    expect(cookies.headers.getSetCookie()).toEqual(['pref=dark; max-age=60; path=/; samesite=strict; httponly']);
    expect(await cookies.text()).toBe('hi');
    expect(await (await fetch(`${host.url}/api/stream`)).text()).toBe('chunk-1,chunk-2');
    const noContent = await fetch(`${host.url}/api/no-content`, { method: 'POST' });
    expect(noContent.status).toBe(204);
    expect(await noContent.text()).toBe('');
  });

  it('turns a throwing handler into a 500 that leaks nothing, logged with the function name', async () => {
    const response = await fetch(`${host.url}/api/explode`);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ code: 'InternalServerError', message: 'An internal server error occurred.' });
    expect(text).not.toContain('secret');
    expect(logs.some((line) => line.includes('[explode] error:') && line.includes('secret detail'))).toBe(true);
  });

  it('emulates Easy Auth: session cookie, /.auth/me, principal headers, no spoofing, logout', async () => {
    const { response, cookie } = await signIn('userId=alice&roles=moderator&post_login_redirect_uri=/moderator');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/moderator');

    const me = await fetch(`${host.url}/.auth/me`, { headers: { cookie } });
    expect(await me.json()).toMatchObject([{ provider_name: 'dev', user_id: 'alice' }]);

    const spoofed = {
      'x-ms-client-principal-id': 'mallory',
      'x-ms-client-principal': 'e30=',
      'x-ms-client-principal-idp': 'aad',
    };
    const signedIn = (await (
      await fetch(`${host.url}/api/echo/1`, { method: 'POST', headers: { cookie, ...spoofed } })
    ).json()) as {
      principal: string;
      principalId: string;
      user: unknown;
    };
    expect(signedIn.principalId).toBe('alice');
    expect(JSON.parse(Buffer.from(signedIn.principal, 'base64').toString('utf8'))).toMatchObject({
      auth_typ: 'dev',
      claims: expect.arrayContaining([{ typ: 'roles', val: 'moderator' }]),
    });
    expect(signedIn.user).toEqual({ id: 'alice', type: 'AppService' });

    const anonymous = await (await fetch(`${host.url}/api/echo/1`, { method: 'POST', headers: spoofed })).json();
    expect(anonymous).toMatchObject({ principal: null, principalId: null, user: null });

    const logout = await fetch(`${host.url}/.auth/logout`, { redirect: 'manual', headers: { cookie } });
    expect(logout.status).toBe(302);
    expect(logout.headers.getSetCookie()[0]).toContain('Max-Age=0');
    const evil = await signIn('userId=alice&post_login_redirect_uri=//evil.example/');
    expect(evil.response.headers.get('location')).toBe('/');
  });

  it('serves the static pages with no-cache and refuses traversal', async () => {
    const index = await fetch(`${host.url}/`);
    expect(await index.text()).toBe('<h1>chat</h1>');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await (await fetch(`${host.url}/moderator`)).text()).toBe('<h1>moderator</h1>');
    expect((await fetch(`${host.url}/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
  });
});

describe('local Functions host process', () => {
  it('loads the definitions module, reports its URL over IPC, serves, and exits on SIGTERM', async () => {
    const child = fork(new URL('../../local/host/main.ts', import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, LOCAL_FUNCTIONS_MODULE: 'test/unit/local/fixtures/sample-functions.ts' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const message = await new Promise<HostMessage>((resolve) =>
      child.once('message', (m) => resolve(m as HostMessage)),
    );
    expect(message.type).toBe('ready');
    if (message.type !== 'ready') return;
    expect(await (await fetch(`${message.url}/api/health`)).text()).toBe('ok');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
