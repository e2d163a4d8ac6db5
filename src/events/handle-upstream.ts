import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import type { App } from '../app.js';
import { BadRequestError, ForbiddenError, UnauthorizedError } from '../errors.js';
import type { AppHandler } from '../http/app-handler.js';
import { parseWith } from '../http/body.js';
import { roomOf } from '../scope.js';
import type { Sanction } from '../store/types.js';
import { provisionClientAndJoinGroup } from '../workflows/provision-client-and-join-group.js';
import { clientAccessUrl } from '../workflows/steps.js';
import { WorkflowFailedError } from '../workflows/workflow-run.js';
import type { EventLog } from './chat-delivery.js';
import { chatMessage } from './chat-message.js';
import { parseCloudEvent, type UpstreamEvent } from './cloud-event.js';
import {
  type ConnectionState,
  decodeConnectionState,
  encodeConnectionState,
  initialConnectionState,
} from './connection-state.js';
import { reply } from './reply.js';
import { reportMessage, reportSchema } from './report.js';
import { roomSchema } from './rooms.js';

const maxEventBytes = 64 * 1024;
const connectBodySchema = z.object({ claims: z.record(z.string(), z.array(z.string())).optional() }).loose();
const joinSchema = z.object({ room: roomSchema });
const chatSchema = z.object({ room: roomSchema.optional(), text: z.string() });

async function readBody(request: HttpRequest): Promise<string> {
  const text = await request.text();
  if (Buffer.byteLength(text) > maxEventBytes) {
    throw new BadRequestError('The event body is over 64 KiB.', 'EventTooLarge');
  }
  return text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadRequestError('The event body is not valid JSON.', 'InvalidJson', { cause: error });
  }
}

/** `POST|OPTIONS /api/webpubsub`: the app's Web PubSub event handler (what the Functions trigger binding would be). */
export const handleUpstream: AppHandler = async (request, app, context) => {
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
      return join(app, event, state, parseWith(joinSchema, parseJson(body)).room, context);
    case 'chat': {
      const chat = parseWith(chatSchema, parseJson(body));
      return chatMessage(app, event, state, chat.text, chat.room, context);
    }
    case 'report':
      return reportMessage(app, event, state, parseWith(reportSchema, parseJson(body)));
    case 'message':
      // Simple WebSocket clients: every frame is a chat line for the room they are in.
      return chatMessage(app, event, state, body, undefined, context);
    default:
      return reply({ type: 'error', code: 'UnknownEvent', message: `Unknown event '${event.name}'.` });
  }
};

function describeBan(ban: Sanction): string {
  const bannedFrom = roomOf(ban.scope);
  const where = bannedFrom ? ` from ${bannedFrom}` : '';
  return `You are banned${where} until ${ban.until.toISOString()}: ${ban.reason}`;
}

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
      const connect = parseWith(connectBodySchema, parseJson((await readBody(request)) || '{}'));
      // A token minted on join carries the room, so a reconnect lands back in it — unless the user has since been
      // banned from it (the service would put the connection in the group) or from the app.
      const room = roomSchema.safeParse(connect.claims?.['webpubsub.group']?.[0]);
      const ban = (await app.rules.current()).sanction('ban', userId, room.data, app.now());
      if (ban) throw new ForbiddenError(describeBan(ban), ban.scope === 'app' ? 'Banned' : 'BannedFromRoom');
      await admitConnection(app, userId, event.connectionId);
      const initial = initialConnectionState(room.success ? room.data : undefined);
      return {
        status: 200,
        jsonBody: { userId },
        headers: { 'ce-connectionState': encodeConnectionState(initial) },
      };
    }
    case 'connected':
      if (state.room && event.userId) {
        await app.presence.joinRoom({
          room: state.room,
          connectionId: event.connectionId,
          userId: event.userId,
          joinedAt: app.now(),
        });
      }
      return { status: 204 };
    case 'disconnected':
      await Promise.all([
        state.room ? app.presence.leaveRoom(state.room, event.connectionId) : undefined,
        event.userId ? app.presence.unregisterConnection(event.userId, event.connectionId) : undefined,
      ]);
      return { status: 204 };
    default:
      throw new BadRequestError(`Unknown system event '${event.name}'.`, 'UnknownEvent');
  }
}

/**
 * Registers the connection under its user, unless the user already has `maxConnectionsPerUser` open: each would be
 * one more place to chat from and one more socket held. A registered connection whose `disconnected` event never
 * came would hold its place for ever, so at the cap the service is asked which of them still exist.
 */
async function admitConnection(app: App, userId: string, connectionId: string): Promise<void> {
  const cap = app.settings.maxConnectionsPerUser;
  let open = await app.presence.listConnections(userId);
  if (open.length >= cap) {
    const exists = await Promise.all(open.map((known) => app.webPubSub.connectionExists(known.connectionId)));
    const gone = open.filter((_, index) => !exists[index]);
    await Promise.all(gone.map((known) => app.presence.unregisterConnection(userId, known.connectionId)));
    open = open.filter((_, index) => exists[index]);
  }
  if (open.length >= cap) {
    throw new ForbiddenError(
      `You already have ${cap} connections open, the most allowed: close one before opening another.`,
      'TooManyConnections',
    );
  }
  await app.presence.registerConnection(userId, { connectionId, connectedAt: app.now() });
}

async function join(
  app: App,
  event: UpstreamEvent,
  state: ConnectionState,
  room: string,
  log: EventLog,
): Promise<HttpResponseInit> {
  const userId = event.userId ?? event.connectionId;
  const client = app.webPubSub;
  const ban = (await app.rules.current()).sanction('ban', userId, room, app.now());
  if (ban) {
    const message = describeBan(ban);
    await app.audit.appendAudit({
      at: app.now(),
      actor: 'policy',
      action: 'refuse',
      target: userId,
      connectionId: event.connectionId,
      room,
      rule: 'banned',
      reason: message,
      outcome: 'succeeded',
    });
    return reply({ type: 'refused', rule: 'banned', room, message });
  }
  if (state.room && state.room !== room) {
    await client.group(state.room).removeConnection(event.connectionId);
    await app.presence.leaveRoom(state.room, event.connectionId);
  }
  let token: string;
  try {
    ({ token } = await provisionClientAndJoinGroup(client, {
      group: room,
      connectionId: event.connectionId,
      userId,
      minutesToExpire: app.settings.clientTokenMinutes,
      announcement: `${userId} joined ${room}`,
    }));
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    return joinFailed(app, log, event.connectionId, room, error, { ...state, room: undefined });
  }
  await app.presence.joinRoom({ room, connectionId: event.connectionId, userId, joinedAt: app.now() });
  const { clientEndpoint, endpoint, hub } = app.settings.webPubSub;
  return reply(
    { type: 'joined', room, url: clientAccessUrl(clientEndpoint ?? endpoint, hub, token) },
    { ...state, room },
  );
}

/**
 * The service would not complete the join, even after the SDK's retries. Answering the event with an error status
 * would make Web PubSub drop the connection, so the client is told which step failed and may try again; a
 * membership the workflow did add is taken back, so the connection is in no room, as its state says.
 */
async function joinFailed(
  app: App,
  log: EventLog,
  connectionId: string,
  room: string,
  error: WorkflowFailedError,
  outside: ConnectionState,
): Promise<HttpResponseInit> {
  log.warn(`Join of ${connectionId} to ${room} failed: ${error.message}`);
  if (error.steps.some((step) => step.stepId === 'addConnection' && step.succeeded)) {
    await app.webPubSub
      .group(room)
      .removeConnection(connectionId)
      .catch((removeError: unknown) => log.warn(`Could not take ${connectionId} back out of ${room}: ${removeError}`));
  }
  return reply(
    { type: 'error', code: 'JoinFailed', room, message: `Could not join ${room} (${error.message}). Try again.` },
    outside,
  );
}
