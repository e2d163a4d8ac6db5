import { randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { evictAndBan } from '../actions/evict.js';
import type { App } from '../app.js';
import { BadRequestError, ForbiddenError, UnauthorizedError } from '../errors.js';
import { parseWith } from '../http/body.js';
import type { AppHandler } from '../http/register.js';
import { provisionClientAndJoinGroup } from '../workflows/provision-client-and-join-group.js';
import { clientAccessUrl } from '../workflows/steps.js';
import { parseCloudEvent, type UpstreamEvent } from './cloud-event.js';
import {
  type ConnectionState,
  decodeConnectionState,
  encodeConnectionState,
  initialConnectionState,
} from './connection-state.js';
import { roomSchema } from './rooms.js';

const maxEventBytes = 64 * 1024;
const connectBodySchema = z.object({ claims: z.record(z.string(), z.array(z.string())).optional() }).loose();
const joinSchema = z.object({ room: roomSchema });
const chatSchema = z.object({ room: roomSchema.optional(), text: z.string() });

/** What a user event answers: sent back to the client as a server message, with the new connection state. */
function reply(body: Record<string, unknown>, state: ConnectionState): HttpResponseInit {
  return { status: 200, jsonBody: body, headers: { 'ce-connectionState': encodeConnectionState(state) } };
}

async function readBody(request: HttpRequest): Promise<string> {
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > maxEventBytes) throw new BadRequestError('The event body is over 64 KiB.', 'EventTooLarge');
  return new TextDecoder().decode(bytes);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestError('The event body is not valid JSON.', 'InvalidJson');
  }
}

/** `POST|OPTIONS /api/webpubsub`: the app's Web PubSub event handler (what the Functions trigger binding would be). */
export const handleUpstream: AppHandler = async (request, app) => {
  if (request.method === 'OPTIONS') {
    const origin = app.upstream.allowedOrigin(request.headers.get('webhook-request-origin'));
    return { status: 200, headers: { 'WebHook-Allowed-Origin': origin } };
  }
  const event = parseCloudEvent(request.headers);
  if (event.hub !== app.settings.webPubSub.hub.toLowerCase()) {
    throw new BadRequestError(`This app serves hub '${app.settings.webPubSub.hub}'.`, 'UnknownHub');
  }
  await app.upstream.authenticate(request.headers.get('authorization'), event, app.now());
  const state = decodeConnectionState(event.connectionState);
  if (event.kind === 'system') return handleSystemEvent(request, app, event, state);
  const body = await readBody(request);
  switch (event.name) {
    case 'join':
      return join(app, event, state, parseWith(joinSchema, parseJson(body)).room);
    case 'chat': {
      const chat = parseWith(chatSchema, parseJson(body));
      return chatMessage(app, event, state, chat.text, chat.room);
    }
    case 'message':
      // Simple WebSocket clients: every frame is a chat line for the room they are in.
      return chatMessage(app, event, state, body, undefined);
    default:
      return reply({ type: 'error', code: 'UnknownEvent', message: `Unknown event '${event.name}'.` }, state);
  }
};

async function handleSystemEvent(
  request: HttpRequest,
  app: App,
  event: UpstreamEvent,
  state: ConnectionState,
): Promise<HttpResponseInit> {
  switch (event.name) {
    case 'connect': {
      const userId = event.userId;
      if (!userId) throw new UnauthorizedError('Connect with a token from /api/negotiate.', 'NoUser');
      const ban = await app.store.getBan(userId, app.now());
      if (ban) {
        throw new ForbiddenError(`You are banned until ${ban.until.toISOString()}: ${ban.reason}`, 'Banned');
      }
      const connect = parseWith(connectBodySchema, parseJson((await readBody(request)) || '{}'));
      // A token minted on join carries the room, so a reconnect lands back in it.
      const room = roomSchema.safeParse(connect.claims?.['webpubsub.group']?.[0]);
      const initial = initialConnectionState(room.success ? room.data : undefined);
      return {
        status: 200,
        jsonBody: { userId },
        headers: { 'ce-connectionState': encodeConnectionState(initial) },
      };
    }
    case 'connected':
      if (state.room && event.userId) {
        await app.store.joinRoom({
          room: state.room,
          connectionId: event.connectionId,
          userId: event.userId,
          joinedAt: app.now(),
        });
      }
      return { status: 204 };
    case 'disconnected':
      if (state.room) await app.store.leaveRoom(state.room, event.connectionId);
      return { status: 204 };
    default:
      throw new BadRequestError(`Unknown system event '${event.name}'.`, 'UnknownEvent');
  }
}

async function join(app: App, event: UpstreamEvent, state: ConnectionState, room: string): Promise<HttpResponseInit> {
  const userId = event.userId ?? event.connectionId;
  const client = app.clients.webPubSub;
  if (state.room && state.room !== room) {
    await client.group(state.room).removeConnection(event.connectionId);
    await app.store.leaveRoom(state.room, event.connectionId);
  }
  const { token } = await provisionClientAndJoinGroup(client, {
    group: room,
    connectionId: event.connectionId,
    userId,
    minutesToExpire: app.settings.clientTokenMinutes,
    announcement: `${userId} joined ${room}`,
  });
  await app.store.joinRoom({ room, connectionId: event.connectionId, userId, joinedAt: app.now() });
  const { clientEndpoint, endpoint, hub } = app.settings.webPubSub;
  return reply(
    { type: 'joined', room, url: clientAccessUrl(clientEndpoint ?? endpoint, hub, token) },
    { ...state, room },
  );
}

async function chatMessage(
  app: App,
  event: UpstreamEvent,
  state: ConnectionState,
  text: string,
  requestedRoom: string | undefined,
): Promise<HttpResponseInit> {
  const userId = event.userId ?? event.connectionId;
  const room = state.room;
  if (!room || (requestedRoom && requestedRoom !== room)) {
    return reply({ type: 'refused', rule: 'not-in-room', message: 'Join the room before you chat in it.' }, state);
  }
  const now = app.now();
  const { verdict, state: moderation } = app.moderator.moderate(text, state.moderation, now.getTime());
  const next = { ...state, moderation };
  if (verdict.allowed) {
    const id = randomUUID();
    const message = { type: 'chat', id, room, from: userId, text: verdict.text, ts: now.toISOString() };
    await app.clients.webPubSub.group(room).sendToAll(message);
    return reply({ type: 'accepted', id }, next);
  }
  const common = {
    at: now,
    actor: 'policy',
    target: userId,
    connectionId: event.connectionId,
    room,
    rule: verdict.rule,
  };
  await app.store.appendAudit({ ...common, action: 'refuse', reason: verdict.message, outcome: 'succeeded' });
  if (verdict.action === 'mute') {
    await app.store.appendAudit({ ...common, action: 'mute', reason: verdict.message, outcome: 'succeeded' });
  }
  if (verdict.action === 'evict') {
    await evictAndBan(app, {
      connectionId: event.connectionId,
      permission: 'sendToGroup',
      userId,
      room,
      reason: `Removed by moderation: ${verdict.message}`,
      banMinutes: app.settings.moderation.banMinutes,
      actor: 'policy',
      rule: verdict.rule,
    });
  }
  return reply(
    { type: 'refused', rule: verdict.rule, message: verdict.message, strikes: verdict.strikes, action: verdict.action },
    next,
  );
}
