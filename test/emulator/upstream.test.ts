import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebPubSubClient } from '@azure/web-pubsub-client';
import { WebPubSubEventHandler } from '@azure/web-pubsub-express';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server.js';
import { connectClient, eventually, handshake, serviceClient } from './helpers.js';

interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type Responder = (request: RecordedRequest, response: ServerResponse) => void;

/** A plain node:http upstream that records every request and answers with the test's responder. */
class RecordingUpstream {
  readonly requests: RecordedRequest[] = [];
  respond: Responder = (_request, response) => response.writeHead(204).end();
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<RecordingUpstream> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const upstream = new RecordingUpstream(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const recorded = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
      };
      upstream.requests.push(recorded);
      if (recorded.method === 'OPTIONS') {
        response.writeHead(200, { 'webhook-allowed-origin': '127.0.0.1' }).end();
        return;
      }
      upstream.respond(recorded, response);
    });
    return upstream;
  }

  events(type?: string): RecordedRequest[] {
    return this.requests.filter(
      (request) => request.method === 'POST' && (!type || request.headers['ce-type'] === type),
    );
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const reliable = 'json.reliable.webpubsub.azure.v1';
const allEvents = { userEventPattern: '*', systemEvents: ['connect', 'connected', 'disconnected'] as const };
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ getUpstreamToken: async (resource) => `token-for-${resource}` });
});
afterAll(() => emulator.close());

function expectedSignature(connectionId: string): string {
  return emulator.accessKeys
    .map((key) => `sha256=${createHmac('sha256', key).update(connectionId).digest('hex')}`)
    .join(',');
}

describe('with @azure/web-pubsub-express as the upstream', () => {
  let server: Server;
  const seen: RecordedRequest[] = [];
  const disconnected: string[] = [];
  const connected: string[] = [];

  beforeAll(async () => {
    const handler = new WebPubSubEventHandler('chat', {
      handleConnect: (request, response) => {
        response.setState('visits', 1);
        response.success({ userId: `${request.claims?.sub?.[0] ?? 'anon'}-via-upstream`, groups: ['from-connect'] });
      },
      onConnected: (request) => {
        connected.push(request.context.connectionId);
      },
      handleUserEvent: (request, response) => {
        const visits = Number(request.context.states.visits ?? 0) + 1;
        response.setState('visits', visits);
        response.success(`${String(request.data)}#${visits}`, 'text');
      },
      onDisconnected: (request) => {
        disconnected.push(request.reason ?? '');
      },
    });
    const app = express();
    app.use((request, _response, next) => {
      seen.push({ method: request.method, path: request.path, headers: request.headers, body: Buffer.alloc(0) });
      next();
    });
    app.use(handler.getMiddleware());
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    emulator.configureHub('Chat', {
      eventHandlers: [
        {
          urlTemplate: `http://127.0.0.1:${port}/api/webpubsub/hubs/{hub}/`,
          ...allEvents,
          systemEvents: [...allEvents.systemEvents],
        },
      ],
    });
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('drives connect, connected, user events with state, and disconnected', async () => {
    const service = serviceClient(emulator, 'Chat');
    const client = new WebPubSubClient({
      getClientAccessUrl: async () => (await service.getClientAccessToken({ userId: 'ann' })).url,
    });
    const replies: unknown[] = [];
    client.on('server-message', (event) => replies.push(event.message.data));
    let userId: string | undefined;
    client.on('connected', (event) => {
      userId = event.userId;
    });
    await client.start();
    expect(userId).toBe('ann-via-upstream');
    expect(await service.groupExists('from-connect')).toBe(true);
    await client.sendEvent('echo', 'hello', 'text');
    await client.sendEvent('echo', 'again', 'text');
    await eventually(() => replies.length === 2);
    expect(replies).toEqual(['hello#2', 'again#3']);
    await eventually(() => connected.length === 1);
    client.stop();
    await eventually(() => disconnected.length === 1);

    expect(seen[0]).toMatchObject({ method: 'OPTIONS', headers: { 'webhook-request-origin': '127.0.0.1' } });
    const connect = seen.find((request) => request.headers['ce-type'] === 'azure.webpubsub.sys.connect');
    const connectionId = connected[0] as string;
    expect(connect?.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-awpsversion': '1.0',
      'ce-hub': 'chat',
      'ce-connectionid': connectionId,
      'ce-userid': 'ann',
      'ce-eventname': 'connect',
      'ce-source': `/hubs/chat/client/${connectionId}`,
      'ce-signature': expectedSignature(connectionId),
      'webhook-request-origin': '127.0.0.1',
    });
    const userEvent = seen.find((request) => request.headers['ce-type'] === 'azure.webpubsub.user.echo');
    expect(userEvent?.headers).toMatchObject({
      'ce-userid': 'ann-via-upstream',
      'ce-subprotocol': reliable,
      'content-type': 'text/plain',
    });
    expect(JSON.parse(Buffer.from(String(userEvent?.headers['ce-connectionstate']), 'base64').toString())).toEqual({
      visits: 1,
    });
  });
});

describe('with a plain node:http upstream', () => {
  let upstream: RecordingUpstream;

  beforeAll(async () => {
    upstream = await RecordingUpstream.start();
  });
  afterAll(() => upstream.close());

  const configure = (hub: string, settings: Partial<Parameters<RunningEmulator['configureHub']>[1]> = {}) =>
    emulator.configureHub(hub, {
      eventHandlers: [
        { urlTemplate: `${upstream.url}/{hub}/{event}`, ...allEvents, systemEvents: [...allEvents.systemEvents] },
      ],
      ...settings,
    });

  it('rejects the handshake with the connect status and body', async () => {
    configure('reject');
    upstream.respond = (_request, response) => response.writeHead(403).end('banned user');
    const { url } = await serviceClient(emulator, 'reject').getClientAccessToken({ userId: 'mallory' });
    expect(await handshake(url)).toEqual({ status: 403, body: 'banned user' });
    const connect = upstream.events('azure.webpubsub.sys.connect').at(-1);
    const connectionId = String(connect?.headers['ce-connectionid']);
    expect(connect?.headers['ce-signature']).toBe(expectedSignature(connectionId));
    const body = JSON.parse(connect?.body.toString() ?? '{}');
    expect(body.claims.sub).toEqual(['mallory']);
    expect(body.query.access_token).toBeUndefined();
    expect(upstream.events('azure.webpubsub.sys.disconnected')).toHaveLength(0);
  });

  it('applies roles and groups from a 200 connect reply; 204 accepts as is', async () => {
    configure('grant');
    upstream.respond = (request, response) => {
      if (request.headers['ce-type'] === 'azure.webpubsub.sys.connect') {
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ roles: ['webpubsub.sendToGroup.granted'], groups: ['granted'] }));
      } else {
        response.writeHead(204).end();
      }
    };
    const { client } = await connectClient(emulator, 'grant', { protocol: 'json.webpubsub.azure.v1' });
    client.send({ type: 'sendToGroup', group: 'granted', ackId: 1, dataType: 'text', data: 'mine' });
    client.send({ type: 'sendToGroup', group: 'other', ackId: 2, dataType: 'text', data: 'not mine' });
    await client.waitForJson((frame) => frame.ackId === 2);
    expect(client.json().filter((frame) => frame.type === 'ack')).toEqual([
      { type: 'ack', ackId: 1, success: true },
      expect.objectContaining({ ackId: 2, success: false, error: expect.objectContaining({ name: 'Forbidden' }) }),
    ]);
    expect(client.json().find((frame) => frame.type === 'message')).toMatchObject({ group: 'granted', data: 'mine' });
    client.close();
    await eventually(() => upstream.events('azure.webpubsub.sys.disconnected').length === 1);
    expect(JSON.parse(upstream.events('azure.webpubsub.sys.disconnected')[0]?.body.toString() ?? '')).toHaveProperty(
      'reason',
    );
    upstream.respond = (_request, response) => response.writeHead(204).end();
    const accepted = await connectClient(emulator, 'grant', { protocol: 'json.webpubsub.azure.v1', userId: 'u' });
    expect(accepted.connectionId).toBeTruthy();
    accepted.client.close();
  });

  it('turns simple-client frames into message events and returns replies raw', async () => {
    configure('simple');
    upstream.respond = (request, response) => {
      if (request.headers['ce-type'] !== 'azure.webpubsub.user.message') return response.writeHead(204).end();
      const binary = request.headers['content-type'] === 'application/octet-stream';
      response
        .writeHead(200, { 'content-type': binary ? 'application/octet-stream' : 'text/plain' })
        .end(binary ? Buffer.concat([request.body, Buffer.from([9])]) : `got ${request.body}`);
    };
    const { client } = await connectClient(emulator, 'simple', { userId: 'sam' });
    client.socket.send('hi');
    client.socket.send(Buffer.from([1, 2]), { binary: true });
    const frames = await client.waitFor(() => (client.frames.length === 2 ? client.frames : undefined));
    expect(frames).toEqual([
      { data: 'got hi', isBinary: false },
      { data: Buffer.from([1, 2, 9]), isBinary: true },
    ]);
    const events = upstream.events('azure.webpubsub.user.message');
    expect(events.map((event) => event.headers['content-type'])).toEqual(['text/plain', 'application/octet-stream']);
    expect(events[0]?.headers['ce-userid']).toBe('sam');
    client.close();
  });

  it('closes the connection when a user event fails', async () => {
    configure('failing');
    upstream.respond = (request, response) =>
      response.writeHead(request.headers['ce-type'] === 'azure.webpubsub.user.boom' ? 500 : 204).end();
    const { client } = await connectClient(emulator, 'failing', { protocol: 'json.webpubsub.azure.v1' });
    client.send({ type: 'event', event: 'boom', ackId: 1, dataType: 'text', data: 'x' });
    expect(await client.waitForJson((frame) => frame.type === 'ack')).toMatchObject({
      success: false,
      error: { name: 'InternalServerError' },
    });
    expect((await client.waitForClose()).code).toBe(1011);
  });

  it('sends a bearer token for ManagedIdentity handlers', async () => {
    emulator.configureHub('identity', {
      eventHandlers: [
        {
          urlTemplate: `${upstream.url}/{hub}/{event}`,
          systemEvents: ['connect'],
          auth: { type: 'ManagedIdentity', resource: 'api://moderator' },
        },
      ],
    });
    upstream.respond = (_request, response) => response.writeHead(204).end();
    const { client } = await connectClient(emulator, 'identity', { protocol: 'json.webpubsub.azure.v1' });
    const connect = upstream.requests.filter((request) => request.path === '/identity/connect').at(-1);
    expect(connect?.headers.authorization).toBe('Bearer token-for-api://moderator');
    client.close();
  });

  it('answers 500 on the handshake when the upstream is unreachable or refuses abuse protection', async () => {
    emulator.configureHub('down', {
      eventHandlers: [{ urlTemplate: 'http://127.0.0.1:1/{event}', systemEvents: ['connect'] }],
    });
    const down = await serviceClient(emulator, 'down').getClientAccessToken();
    expect((await handshake(down.url)).status).toBe(500);

    const refusing = createServer((_request, response) => response.writeHead(200).end());
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    emulator.configureHub('refused', {
      eventHandlers: [
        { urlTemplate: `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/`, systemEvents: ['connect'] },
      ],
    });
    const refused = await serviceClient(emulator, 'refused').getClientAccessToken();
    expect((await handshake(refused.url)).status).toBe(500);
    refusing.close();
  });
});
