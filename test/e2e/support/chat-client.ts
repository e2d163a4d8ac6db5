import { WebPubSubClient, type WebPubSubClientOptions } from '@azure/web-pubsub-client';
import { afterAll, expect, inject } from 'vitest';
import WebSocket from 'ws';
import type { AppNotice, AppReply, ChatLine } from '../../../src/contracts.js';

/**
 * Sign-in, API calls and chatters for one running stack: the shared e2e stack (`sharedSession()`), or one a test
 * file starts itself with `startStack()`.
 */
export class StackSession {
  constructor(readonly appUrl: string) {}

  /** Signs in through the host's Easy Auth emulation and returns the session cookie. */
  async signIn(userId: string, roles: string[] = []): Promise<string> {
    const url = new URL('/.auth/login/dev', this.appUrl);
    url.searchParams.set('userId', userId);
    if (roles.length) url.searchParams.set('roles', roles.join(','));
    const response = await fetch(url, { redirect: 'manual' });
    const cookie = response.headers.get('set-cookie')?.split(';')[0];
    if (!cookie) throw new Error(`sign-in for ${userId} set no cookie (status ${response.status})`);
    return cookie;
  }

  api(path: string, cookie: string | undefined, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    return fetch(new URL(path, this.appUrl), { ...init, headers });
  }

  postJson(path: string, cookie: string | undefined, body: unknown, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('content-type', 'application/json');
    return this.api(path, cookie, { ...init, method: 'POST', headers, body: JSON.stringify(body) });
  }

  /** Signs in and connects a chatter on the official client. */
  async chatter(userId: string, options: ChatterOptions = {}): Promise<Chatter> {
    const chatter = new Chatter(this, userId, await this.signIn(userId, options.roles), options.client);
    await chatter.client.start();
    return chatter;
  }
}

export const sharedSession = (): StackSession => new StackSession(inject('stack').appUrl);
export const appUrl = (): string => inject('stack').appUrl;
export const signIn = (userId: string, roles: string[] = []): Promise<string> => sharedSession().signIn(userId, roles);
export const callApi = (path: string, cookie: string | undefined, init: RequestInit = {}): Promise<Response> =>
  sharedSession().api(path, cookie, init);
export const postJson = (path: string, cookie: string | undefined, body: unknown): Promise<Response> =>
  sharedSession().postJson(path, cookie, body);

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

export type { ChatLine as ChatMessage };

/** A reply or notice as tests read it: any field by name, the type from the wire contract. */
export type Reply = { type: (AppReply | AppNotice)['type'] } & Record<string, unknown>;

/** What the app answers a chatter's event with; any other object it sends is a notice (`banned`, `deleted`). */
const replyTypes = new Set(['joined', 'accepted', 'refused', 'reported', 'error']);

export interface ChatterOptions {
  roles?: string[];
  /**
   * Passed to the client. Defaults: no auto-reconnect (a connection the service closes stays closed, so a test sees
   * exactly one) and no message retries (a refused ack is final).
   */
  client?: WebPubSubClientOptions;
}

/** A chatter on the official client: negotiates with its cookie, and rejoins its room with the token join gave it. */
export class Chatter {
  readonly chats: ChatLine[] = [];
  readonly notices: string[] = [];
  /** Every object the app sent this connection that is not a chat line: replies and notices, in order. */
  readonly replies: Reply[] = [];
  disconnectReason: string | undefined;
  connectionId: string | undefined;
  /** The client URL from the latest `joined` reply: its token carries the room. */
  joinedUrl: string | undefined;
  readonly client: WebPubSubClient;
  private readonly waiting: ((reply: Reply) => void)[] = [];

  constructor(
    session: StackSession,
    readonly userId: string,
    readonly cookie: string,
    clientOptions: WebPubSubClientOptions = {},
  ) {
    this.client = new WebPubSubClient(
      {
        getClientAccessUrl: async () => {
          if (this.joinedUrl) return this.joinedUrl;
          const response = await session.api('/api/negotiate', cookie);
          if (!response.ok) throw new Error(`negotiate answered ${response.status}: ${await response.text()}`);
          return ((await response.json()) as { url: string }).url;
        },
      },
      { autoReconnect: false, messageRetryOptions: { maxRetries: 0 }, ...clientOptions },
    );
    // What the app sends to a room arrives as a group message; replies and notices, sent to the connection or user,
    // as server messages. Plain text is a notice, `type: chat` a chat line, anything else a reply or a notice object.
    const receive = (data: unknown) => {
      if (typeof data === 'string') this.notices.push(data);
      else if ((data as { type?: string }).type === 'chat') this.chats.push(data as ChatLine);
      else {
        const reply = data as Reply;
        this.replies.push(reply);
        if (reply.type === 'joined' && typeof reply.url === 'string') this.joinedUrl = reply.url;
        if (replyTypes.has(reply.type)) this.waiting.shift()?.(reply);
      }
    };
    this.client.on('group-message', (event) => receive(event.message.data));
    this.client.on('server-message', (event) => receive(event.message.data));
    this.client.on('connected', (event) => {
      this.connectionId = event.connectionId;
    });
    this.client.on('disconnected', (event) => {
      this.disconnectReason = event.message?.message ?? this.disconnectReason;
    });
  }

  /** Signs in and connects a chatter on the shared e2e stack. */
  static connect(userId: string, roles: string[] = []): Promise<Chatter> {
    return sharedSession().chatter(userId, { roles });
  }

  /**
   * Sends a user event and resolves with the app's reply. The service delivers one connection's events upstream
   * in order, so replies come back in the order the events were sent.
   */
  async send(event: string, data: unknown, timeoutMs = 15_000): Promise<Reply> {
    let deliver: (reply: Reply) => void = () => {};
    const reply = new Promise<Reply>((resolve) => {
      deliver = resolve;
    });
    this.waiting.push(deliver);
    const unqueue = () => this.waiting.splice(this.waiting.indexOf(deliver), 1);
    try {
      await this.client.sendEvent(event, data as Record<string, unknown>, 'json');
    } catch (error) {
      unqueue();
      throw error;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        unqueue();
        reject(new Error(`${this.userId}: no reply to '${event}' in ${timeoutMs} ms`));
      }, timeoutMs);
    });
    return Promise.race([reply, timeout]).finally(() => clearTimeout(timer));
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
