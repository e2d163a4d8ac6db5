import { WebPubSubClient } from '@azure/web-pubsub-client';
import { afterAll, expect, inject } from 'vitest';
import WebSocket from 'ws';

export const appUrl = (): string => inject('stack').appUrl;

/** Signs in through the local Easy Auth emulation and returns the session cookie. */
export async function signIn(userId: string, roles: string[] = []): Promise<string> {
  const url = new URL('/.auth/login/dev', appUrl());
  url.searchParams.set('userId', userId);
  if (roles.length) url.searchParams.set('roles', roles.join(','));
  const response = await fetch(url, { redirect: 'manual' });
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error(`sign-in for ${userId} set no cookie (status ${response.status})`);
  return cookie;
}

export async function callApi(path: string, cookie: string | undefined, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (cookie) headers.set('cookie', cookie);
  return fetch(new URL(path, appUrl()), { ...init, headers });
}

export function postJson(path: string, cookie: string | undefined, body: unknown): Promise<Response> {
  return callApi(path, cookie, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The HTTP status with which the service answers a WebSocket handshake to `url` (101 when it connects). */
export function handshakeStatus(url: string): Promise<number> {
  return new Promise<number>((resolve) => {
    const socket = new WebSocket(url, 'json.webpubsub.azure.v1');
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('error', () => undefined);
  });
}

export interface ChatMessage {
  type: 'chat';
  id: string;
  room: string;
  from: string;
  text: string;
  ts: string;
}

export interface Reply {
  type: string;
  [key: string]: unknown;
}

/** A chatter on the official client: negotiates with its cookie, and rejoins its room with the token join gave it. */
export class Chatter {
  readonly chats: ChatMessage[] = [];
  readonly notices: string[] = [];
  readonly replies: Reply[] = [];
  disconnectReason: string | undefined;
  connectionId: string | undefined;
  /** The client URL from the latest `joined` reply: its token carries the room. */
  joinedUrl: string | undefined;
  readonly client: WebPubSubClient;

  private constructor(
    readonly userId: string,
    readonly cookie: string,
  ) {
    this.client = new WebPubSubClient({
      getClientAccessUrl: async () => {
        if (this.joinedUrl) return this.joinedUrl;
        const response = await callApi('/api/negotiate', this.cookie);
        if (!response.ok) throw new Error(`negotiate answered ${response.status}: ${await response.text()}`);
        return ((await response.json()) as { url: string }).url;
      },
    });
    // Everything the app sends arrives as a server message (REST sends are `from: server`, even to a group):
    // plain text is a notice, `type: chat` a chat line, anything else the reply to one of this client's events.
    this.client.on('server-message', (event) => {
      const data = event.message.data;
      if (typeof data === 'string') this.notices.push(data);
      else if ((data as { type?: string }).type === 'chat') this.chats.push(data as ChatMessage);
      else {
        const reply = data as Reply;
        this.replies.push(reply);
        if (reply.type === 'joined' && typeof reply.url === 'string') this.joinedUrl = reply.url;
      }
    });
    this.client.on('connected', (event) => {
      this.connectionId = event.connectionId;
    });
    this.client.on('disconnected', (event) => {
      this.disconnectReason = event.message?.message ?? this.disconnectReason;
    });
  }

  static async connect(userId: string, roles: string[] = []): Promise<Chatter> {
    const chatter = new Chatter(userId, await signIn(userId, roles));
    await chatter.client.start();
    return chatter;
  }

  /** Sends a user event and waits for the app's reply to it. */
  async send(event: string, data: unknown): Promise<Reply> {
    const before = this.replies.length;
    await this.client.sendEvent(event, data as Record<string, unknown>, 'json');
    return eventually(() => this.replies[before]);
  }

  join(room: string): Promise<Reply> {
    return this.send('join', { room });
  }

  chat(room: string, text: string): Promise<Reply> {
    return this.send('chat', { room, text });
  }

  stop(): void {
    this.client.stop();
  }
}

/**
 * Connects chatters for one test file, each joining `room` when given, and stops them all after the file's tests.
 */
export function chatterPool(): (userId: string, room?: string) => Promise<Chatter> {
  const chatters: Chatter[] = [];
  afterAll(() => {
    for (const chatter of chatters) chatter.stop();
  });
  return async (userId, room) => {
    const chatter = await Chatter.connect(userId);
    chatters.push(chatter);
    if (room) expect(await chatter.join(room)).toMatchObject({ type: 'joined', room });
    return chatter;
  };
}
