import { Blob as NodeBlob } from 'node:buffer';
import type { HttpResponseInit } from '@azure/functions';
import functions from '@azure/functions';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HostInvocationContext } from '../../../local/host/invocation-context.js';
import { InvocationRequest } from '../../../local/host/invocation-request.js';
import { toWireResponse, type WireResponse } from '../../../local/host/invocation-response.js';

const seed = 20261123;
const principal = Buffer.from(
  JSON.stringify({ auth_typ: 'aad', claims: [{ typ: 'name', val: 'Ada' }], name_typ: 'name', role_typ: 'roles' }),
).toString('base64');

const headerValue = fc.string({ unit: fc.constantFrom('a', 'B', '1', ' ', '-', '=', ',', ';', '/'), maxLength: 12 });
const requestCase = fc.record({
  method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'),
  query: fc.array(fc.tuple(fc.constantFrom('a', 'b', 'room'), fc.constantFrom('1', 'x y', '%C3%A9')), {
    maxLength: 4,
  }),
  headers: fc.dictionary(
    fc.constantFrom('content-type', 'origin', 'ce-type', 'authorization', 'x-custom', 'accept', 'cookie'),
    headerValue.map((value) => value.trim()),
  ),
  principal: fc.boolean(),
  params: fc.dictionary(fc.constantFrom('room', 'id'), fc.string({ maxLength: 8 })),
  body: fc.string({ maxLength: 40 }),
});

describe('InvocationRequest, the host request handlers receive', () => {
  it('reads as the library HttpRequest built from the same request', async () => {
    await fc.assert(
      fc.asyncProperty(requestCase, async (input) => {
        const query = input.query.map(([name, value]) => `${name}=${value}`).join('&');
        // The host passes the URL it parsed, normalized.
        const url = new URL(`http://127.0.0.1:7071/api/rooms?${query}`).href;
        const headers: Record<string, string> = {
          ...input.headers,
          ...(input.principal
            ? {
                'x-ms-client-principal': principal,
                'x-ms-client-principal-id': 'ada',
                'x-ms-client-principal-name': 'Ada',
                'x-ms-client-principal-idp': 'aad',
              }
            : {}),
        };
        const init = { method: input.method, url, headers, params: input.params };
        // As the host passed it before: the bytes read, when there were any.
        const bytes = Buffer.from(input.body);
        const ours = new InvocationRequest({ ...init, headers: new Map(Object.entries(headers)), body: bytes });
        const library = new functions.HttpRequest({ ...init, ...(bytes.length > 0 ? { body: { bytes } } : {}) });

        expect([ours.method, ours.url]).toEqual([library.method, library.url]);
        expect([...ours.headers]).toEqual([...library.headers]);
        for (const name of Object.keys(headers)) {
          expect(ours.headers.get(name.toUpperCase())).toBe(library.headers.get(name));
        }
        expect([...ours.query]).toEqual([...library.query]);
        expect(ours.params).toEqual(library.params);
        expect(ours.user).toEqual(library.user);
        expect(await ours.text()).toBe(await library.text());
        expect(ours.bodyUsed).toBe(library.bodyUsed);
        const readAgain = (request: { text(): Promise<string> }) =>
          request.text().then(
            (text) => `read ${text}`,
            (error: unknown) => `refused: ${(error as Error).name}`,
          );
        expect(await readAgain(ours)).toBe(await readAgain(library));
      }),
      { seed, numRuns: 300 },
    );
  });

  it('reads its body once in any form, and clones an unread body', async () => {
    const init = {
      method: 'POST',
      url: 'http://localhost/api/x',
      headers: new Map([['content-type', 'application/json']]),
    };
    const request = new InvocationRequest({ ...init, params: {}, body: Buffer.from('{"a":[1,2]}') });
    const copy = request.clone();
    expect(await request.json()).toEqual({ a: [1, 2] });
    await expect(request.arrayBuffer()).rejects.toThrow('Body is unusable');
    expect(() => request.clone()).toThrow(TypeError);
    expect(new TextDecoder().decode(await copy.arrayBuffer())).toBe('{"a":[1,2]}');

    const streamed = new InvocationRequest({ ...init, params: {}, body: Buffer.from('hello') });
    expect(await new Response(streamed.body as ReadableStream).text()).toBe('hello');
    expect(streamed.bodyUsed).toBe(true);
    const blob = await new InvocationRequest({ ...init, params: {}, body: Buffer.from('hi') }).blob();
    expect([blob.type, await blob.text()]).toEqual(['application/json', 'hi']);
  });

  it('has case-insensitive, mutable headers that iterate sorted by name like fetch Headers', () => {
    const request = new InvocationRequest({
      method: 'GET',
      url: 'http://localhost/',
      headers: new Map([
        ['x-b', '2'],
        ['x-a', '1'],
      ]),
      params: {},
      body: Buffer.from('ignored'),
    });
    request.headers.append('X-A', ' 3 ');
    request.headers.set('X-C', '4');
    request.headers.delete('x-b');
    const reference = new Headers({ 'x-b': '2', 'x-a': '1' });
    reference.append('X-A', ' 3 ');
    reference.set('X-C', '4');
    reference.delete('x-b');
    expect([...request.headers.entries()]).toEqual([...reference.entries()]);
    expect([...request.headers.keys()]).toEqual([...reference.keys()]);
    expect([...request.headers.values()]).toEqual([...reference.values()]);
    const seen: string[] = [];
    request.headers.forEach((value, name) => {
      seen.push(`${name}=${value}`);
    });
    expect(seen).toEqual(['x-a=1, 3', 'x-c=4']);
    expect(request.body).toBeNull();
  });
});

const responseHeaderName = fc.constantFrom('Content-Type', 'content-type', 'X-Trace', 'x-trace', 'Cache-Control');
const responseCase: fc.Arbitrary<HttpResponseInit> = fc.record(
  {
    status: fc.constantFrom(200, 201, 202, 204, 205, 304, 400, 404, 409, 500, 503),
    headers: fc.dictionary(responseHeaderName, headerValue),
    jsonBody: fc.jsonValue({ maxDepth: 2 }),
    body: fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.uint8Array({ maxLength: 8 }),
      fc.constant(null),
      fc.constant(undefined),
    ),
    cookies: fc.array(
      fc.record({ name: fc.constantFrom('a', 'b'), value: fc.constantFrom('1', 'x'), path: fc.constant('/') }),
      {
        maxLength: 2,
      },
    ),
  },
  { requiredKeys: [] },
);

/** The wire form through the library's own `HttpResponse` (undici `Response`), the reference. */
const throughLibrary = (init: HttpResponseInit) => toWireResponse(new functions.HttpResponse(init));
const comparable = (response: WireResponse) => ({
  ...response,
  body: response.body === undefined ? undefined : Buffer.from(response.body).toString('base64'),
});

describe('toWireResponse, what the host sends for a handler result', () => {
  it('sends what the library HttpResponse would, for plain results', async () => {
    await fc.assert(
      fc.asyncProperty(responseCase, async (init) => {
        expect(comparable(await toWireResponse(init))).toEqual(comparable(await throughLibrary(init)));
      }),
      { seed, numRuns: 500 },
    );
  });

  it('hands results it does not convert itself to the library', async () => {
    const cases: HttpResponseInit[] = [
      { headers: [['x-a', '1']] },
      { headers: new Headers({ 'set-cookie': 'a=1' }) },
      { headers: { 'Set-Cookie': 'a=1' } },
      { body: new URLSearchParams('a=1&b=2') },
      { status: 200, jsonBody: undefined, body: new NodeBlob(['blob']) },
    ];
    for (const init of cases) {
      expect(comparable(await toWireResponse(init))).toEqual(comparable(await throughLibrary(init)));
    }
    await expect(toWireResponse({ status: 99 })).rejects.toThrow(RangeError);
    await expect(toWireResponse({ headers: { 'x-a': 'line\nbreak' } })).rejects.toThrow(TypeError);
  });
});

describe('HostInvocationContext', () => {
  it('logs at the level of the method called and carries the function options app.http would', () => {
    const lines: unknown[][] = [];
    const context = new HostInvocationContext({
      invocationId: 'id-1',
      functionName: 'rooms',
      functionOptions: { route: 'rooms/{room}', methods: ['POST'], handler: async () => ({}) },
      log: (functionName, level, args) => lines.push([functionName, level, ...args]),
    });
    context.log('a');
    context.trace('b');
    context.debug('c');
    context.info('d', 1);
    context.warn('e');
    context.error('f');
    expect(lines).toEqual([
      ['rooms', 'information', 'a'],
      ['rooms', 'trace', 'b'],
      ['rooms', 'debug', 'c'],
      ['rooms', 'information', 'd', 1],
      ['rooms', 'warning', 'e'],
      ['rooms', 'error', 'f'],
    ]);
    const { options } = context;
    expect(options.trigger).toMatchObject({ type: 'httpTrigger', route: 'rooms/{room}', methods: ['POST'] });
    expect(options.return).toMatchObject({ type: 'http' });
    context.extraOutputs.set('queue', [1]);
    expect(context.extraOutputs.get('queue')).toEqual([1]);
  });
});
